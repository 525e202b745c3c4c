"""A real bot process for the stop-signal tests: `python -m tests.discord_app.bot_process CONFIG`.

It runs the real `python -m bot run` path (`runner.run`: token check, config, corpus,
`create_bot`, signal handling, shutdown, exit status); only the connection to Discord is
SimCord's simulated Discord, inside this process. Once connected it asks `--burst`
questions through /ask from several members, prints `answered N unwritten M` (M: records
still queued for the insights log at that moment) and waits to be stopped by a signal;
then it prints whether the bot left SimCord's gateway connection `open` or `closed`.

`--write-delay S` makes the insights store sleep S seconds per record written: a slow disk.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import discord
import simcord

from bot.discord_app import runner
from bot.discord_app.client import StoryBot
from bot.insights.store import InsightsStore

from .simcord_speed import fast_settle_method

QUESTIONS = (
    "When was Meng Wanzhou arrested?",
    "Which countries banned Huawei from their 5G networks?",
    "What is the capital of France?",
)


def slow_disk(seconds_per_record: float) -> None:
    original = InsightsStore.write

    def write(self: InsightsStore, records) -> int:  # type: ignore[no-untyped-def]
        records = list(records)
        time.sleep(seconds_per_record * len(records))
        return original(self, records)

    InsightsStore.write = write  # type: ignore[method-assign]


def simulated_discord(burst: int, members: int):
    async def connect(bot: StoryBot, token: str) -> None:
        env = simcord.Env(bot, approved_intents=discord.Intents.default())
        users = [env.create_user(f"member{i}") for i in range(members)]
        await env.start()
        guild = env.create_guild("Newsroom")
        channel = guild.create_text_channel("general")
        actors = [guild.add_member(user) for user in users]
        answered = 0
        for i in range(burst):
            result = await actors[i % members].slash(channel, "ask", question=QUESTIONS[i % len(QUESTIONS)])
            answered += bool(result.response is not None and result.response.embeds)
        print(f"answered {answered} unwritten {sum(count() for count in bot.unwritten)}", flush=True)
        gateway = bot.ws  # SimCord's side of the gateway connection
        try:
            await asyncio.Event().wait()  # connected until the bot is stopped
        finally:
            print(f"gateway {'open' if gateway.open else 'closed'}", flush=True)

    return connect


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("config")
    p.add_argument("--burst", type=int, default=300)
    p.add_argument("--members", type=int, default=10)
    p.add_argument("--write-delay", type=float, default=0.0)
    p.add_argument("--shutdown-seconds", type=float, default=runner.SHUTDOWN_SECONDS)
    args = p.parse_args()
    settle = fast_settle_method()
    if settle is not None:
        simcord.Env._settle_internal = settle  # type: ignore[method-assign]
    if args.write_delay:
        slow_disk(args.write_delay)
    return runner.run(args.config, connect=simulated_discord(args.burst, args.members), shutdown_seconds=args.shutdown_seconds)


if __name__ == "__main__":
    sys.exit(main())
