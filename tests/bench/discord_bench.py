"""The bot under load, through SimCord: event-loop lag during /reload, and 1,000 /ask questions.

    python -m tests.bench.discord_bench lag --passages 100000
    python -m tests.bench.discord_bench e2e                     # the bundled story
    python -m tests.bench.discord_bench e2e --passages 100000   # a synthetic archive

`lag`: starts the bot on a synthetic corpus, adds a document (so the cache cannot be
used and the whole corpus is analysed again: the worst case), and sends /reload as the
operator while a coroutine sleeps 1 ms at a time and records how late it wakes up,
and a member keeps asking questions through SimCord (the reload is started through
the holder's reload path, what /reload runs once the operator is checked, because
SimCord runs one interaction at a time). Reports the longest stall of the event loop and
whether every question asked during the reload was answered.

`e2e`: 50 users ask 1,000 questions, taking turns (SimCord runs one interaction
at a time). Every reply is compared with what an independently loaded engine answers
(same title and citation in the embed, or the same abstention). Reports the bot's own
handling time per question (from the question desk: cooldown, ranking, rendering) and
the round trip through SimCord.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import discord
import numpy as np
import simcord
import yaml

ROOT = Path(__file__).resolve().parents[2]
STORY = ROOT / "corpus" / "huawei-5g-canada-china.md"
QUESTIONS = ROOT / "tests" / "data" / "story-questions.yaml"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


class World:
    """A bot on a corpus in `folder`, a guild, a channel, `users` members and an operator."""

    def __init__(self, folder: Path, passages: int, users: int, queries: int) -> None:
        self.folder = folder
        self.corpus = folder / "corpus"
        self.config_path = folder / "config.yaml"
        self.questions: list[str]
        if passages:
            from .synthetic import generate

            synthetic = generate(passages, queries=queries)
            synthetic.write(folder)
            self.questions = synthetic.queries
        else:
            self.corpus.mkdir(parents=True)
            shutil.copy(STORY, self.corpus / STORY.name)
            data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
            self.questions = [item["q"] if isinstance(item, dict) else item for group in data.values() for item in group]
        self.settings = {
            "corpus": {"path": "corpus"},
            "passages": {"max_chars": 2000} if passages else {},
            "discord": {"cooldown_questions": 1000, "cooldown_seconds": 1},
            "cache_dir": ".cache",
            "logging": {"level": "WARNING"},
        }
        self.user_count = users

    async def start(self) -> None:
        from bot import create_bot

        self.config_path.write_text(yaml.safe_dump(self.settings), encoding="utf-8")
        self.bot = create_bot(self.config_path)
        self.env = simcord.Env(self.bot, approved_intents=discord.Intents.default())
        users = [self.env.create_user(f"user{i}") for i in range(self.user_count)]
        operator = self.env.create_user("operator")
        self.settings["discord"]["admin_user_ids"] = [operator.id]
        self.config_path.write_text(yaml.safe_dump(self.settings), encoding="utf-8")
        started = time.perf_counter()
        await self.env.start()
        self.start_seconds = time.perf_counter() - started
        guild = self.env.create_guild("Newsroom")
        self.channel = guild.create_text_channel("general")
        self.members = [guild.add_member(u) for u in users]
        self.operator = guild.add_member(operator)

    async def stop(self) -> None:
        await self.env.shutdown()


def expected_replies(config_path: Path, questions: list[str]) -> dict[str, tuple[str, str | None]]:
    """(embed title, citation) per question, from an engine loaded outside the bot."""
    from bot.engine import Engine
    from bot.presentation import render

    engine = Engine.load(config_path)
    out = {}
    for q in dict.fromkeys(questions):
        reply = render(engine.ask(q), engine, engine.config.discord.example_questions)
        out[q] = (reply.title, reply.citation or None)
    return out


def seen(result) -> tuple[str, str | None]:
    embed = result.response.embeds[0]
    return (embed.title, embed.footer.text if embed.footer else None)


async def lag(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="story-lag-") as tmp:
        world = World(Path(tmp), args.passages, users=2, queries=200)
        await world.start()
        print(f"bot ready on {world.bot.holder.engine.passages:,} passages in {world.start_seconds:.1f} s", file=sys.stderr)
        (world.corpus / "zz-new.md").write_text("# New\n\nThe harbour bridge reopened on Friday.\n", encoding="utf-8")

        stalls: list[float] = []
        stop = asyncio.Event()

        async def probe() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                await asyncio.sleep(0.001)
                stalls.append(time.perf_counter() - t0 - 0.001)

        asked: list[tuple[float, bool]] = []

        async def keep_asking() -> None:
            member = world.members[0]
            i = 0
            while not stop.is_set():
                t0 = time.perf_counter()
                result = await member.slash(world.channel, "ask", question=world.questions[i % len(world.questions)])
                ok = bool(result.response.embeds) and result.response.embeds[0].title is not None
                asked.append((time.perf_counter() - t0, ok))
                i += 1
                await asyncio.sleep(0.05)

        probe_task = asyncio.create_task(probe())
        await asyncio.sleep(0.5)
        baseline = list(stalls)
        stalls.clear()
        t0 = time.perf_counter()
        # What /reload runs once the operator is checked (SimCord runs one interaction at a
        # time, so the reload is started directly and members ask through SimCord meanwhile).
        reloading = asyncio.create_task(world.bot.holder.reload())
        asking = asyncio.create_task(keep_asking())
        report_ = await reloading
        reload_seconds = time.perf_counter() - t0
        stop.set()
        await asyncio.gather(probe_task, asking)
        text = f"ok={report_.ok} passages {report_.passages_before} -> {report_.passages_after} error={report_.error}"
        await world.stop()
    report = {
        "passages": args.passages,
        "reload_seconds": reload_seconds,
        "reload_reply": text.splitlines()[0] if text else "",
        "loop_wakeups": len(stalls),
        "max_stall_ms": max(stalls) * 1e3,
        "p99_stall_ms": percentile(stalls, 99) * 1e3,
        "stalls_over_50ms": sum(s > 0.05 for s in stalls),
        "idle_max_stall_ms": max(baseline) * 1e3 if baseline else None,
        "questions_during_reload": len(asked),
        "answered_during_reload": sum(ok for _, ok in asked),
        "question_round_trip_max_ms": max((s for s, _ in asked), default=0) * 1e3,
    }
    return report


async def e2e(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="story-e2e-") as tmp:
        world = World(Path(tmp), args.passages, users=args.users, queries=200)
        await world.start()
        engine = world.bot.holder.engine
        print(f"bot ready on {engine.passages:,} passages in {world.start_seconds:.1f} s", file=sys.stderr)
        per_user = args.questions // args.users
        plan = [[world.questions[(u * per_user + i) % len(world.questions)] for i in range(per_user)] for u in range(args.users)]
        expected = expected_replies(world.config_path, [q for qs in plan for q in qs])

        handling: list[float] = []
        world.bot.desk.listeners.append(lambda record: handling.append(record.seconds))
        round_trips: list[float] = []
        wrong: list[tuple[str, tuple, tuple]] = []

        # SimCord runs one interaction at a time: the users take turns, round robin.
        t0 = time.perf_counter()
        for i in range(per_user):
            for member, questions in zip(world.members, plan):
                q = questions[i]
                t1 = time.perf_counter()
                result = await member.slash(world.channel, "ask", question=q)
                round_trips.append(time.perf_counter() - t1)
                got = seen(result)
                if got != expected[q]:
                    wrong.append((q, got, expected[q]))
        wall = time.perf_counter() - t0
        await world.stop()
    for q, got, want in wrong[:5]:
        print(f"MISMATCH {q!r}: got {got}, expected {want}", file=sys.stderr)
    return {
        "corpus": f"{args.passages:,} synthetic passages" if args.passages else "bundled story",
        "passages": engine.passages,
        "questions": len(round_trips),
        "users": args.users,
        "correct": len(round_trips) - len(wrong),
        "handling_median_ms": statistics.median(handling) * 1e3,
        "handling_p99_ms": percentile(handling, 99) * 1e3,
        "round_trip_median_ms": statistics.median(round_trips) * 1e3,
        "round_trip_p99_ms": percentile(round_trips, 99) * 1e3,
        "wall_seconds": wall,
        "questions_per_second": len(round_trips) / wall,
    }


async def startup(args: argparse.Namespace) -> dict:
    """Start-up to ready (SimCord's READY, commands synced), without and then with the index cache."""
    with tempfile.TemporaryDirectory(prefix="story-start-") as tmp:
        world = World(Path(tmp), args.passages, users=2, queries=10)
        report = {"passages": args.passages}
        for label in ("cold_seconds", "cached_seconds", "cached_again_seconds"):
            await world.start()
            report[label] = world.start_seconds
            await world.stop()
        return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["lag", "e2e", "startup"])
    p.add_argument("--passages", type=int, default=0, help="synthetic passages (0: the bundled story)")
    p.add_argument("--questions", type=int, default=1000)
    p.add_argument("--users", type=int, default=50)
    args = p.parse_args(argv)
    if args.mode in ("lag", "startup") and not args.passages:
        args.passages = 100_000
    logging.basicConfig(level=logging.WARNING)
    modes = {"lag": lag, "e2e": e2e, "startup": startup}
    report = asyncio.run(modes[args.mode](args))
    for key, value in report.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
