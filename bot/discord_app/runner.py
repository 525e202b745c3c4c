"""`python -m bot run | sync | invite`: the commands that talk to Discord.

Every expected failure (no token, a broken config or corpus, a token Discord
refuses, no network) is one line on stderr and a non-zero exit status, never a
traceback. The token itself is never printed or logged. SIGTERM and SIGINT stop the
bot cleanly within a bounded time (see shutdown.py); exit status 0 then, 1 if the
deadline passed with insights records not written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable, TextIO, TypeVar

import aiohttp
import discord

from ..config import Config, ConfigError, load_config
from ..engine import CorpusError, Engine
from ..progress import ProgressReporter
from .invite import APPLICATION_ID_VARIABLE, PERMISSIONS, SCOPES, application_id_from_token, invite_url, parse_application_id
from .shutdown import SHUTDOWN_SECONDS, serve

if TYPE_CHECKING:
    from .client import StoryBot

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
TOKEN_VARIABLE = "DISCORD_TOKEN"

log = logging.getLogger(__name__)
T = TypeVar("T")


class Refused(Exception):
    """A one-line problem, already phrased for the operator, and its exit status."""

    def __init__(self, message: str, status: int = EXIT_PROBLEM) -> None:
        super().__init__(message)
        self.status = status


def _error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


def _token() -> str:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise Refused(
            f"{TOKEN_VARIABLE} is not set: set the {TOKEN_VARIABLE} environment variable "
            "to your bot's token (Discord Developer Portal → your application → Bot → Reset Token)",
            EXIT_USAGE,
        )
    return token


def _load(config_path: str | Path | None) -> tuple[Config, Engine]:
    """Config, logging and the index, before anything touches Discord (a broken corpus is
    reported without connecting)."""
    try:
        config = load_config(config_path)
        logging.basicConfig(
            level=getattr(logging, config.logging.level),
            format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        )
        engine = Engine.load(config, progress=ProgressReporter(logger=log))  # a bar on a terminal, else log lines
    except (ConfigError, CorpusError) as exc:
        raise Refused(str(exc)) from None
    return config, engine


def _talk_to_discord(work: Awaitable[T]) -> T:
    """Run `work` on a fresh event loop; Discord's and the network's refusals become one line."""
    try:
        return asyncio.run(work)  # type: ignore[arg-type]
    except discord.LoginFailure:
        raise Refused(f"Discord refused the token in {TOKEN_VARIABLE}; check it (or reset it) in the Developer Portal") from None
    except discord.PrivilegedIntentsRequired:
        raise Refused(
            "Discord says the bot requested a privileged intent it is not allowed to use: the only one it asks for is "
            "Message Content, with 'discord.message_content_intent: true'; enable it in the Developer Portal "
            "(your application → Bot → Privileged Gateway Intents) or set that to false"
        ) from None
    except discord.HTTPException as exc:
        raise Refused(f"Discord refused the request: {exc.status} {exc.text}".strip()) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise Refused(f"cannot reach Discord ({type(exc).__name__}); check the network connection") from None


def _one_line_errors(command: Callable[..., int]) -> Callable[..., int]:
    def wrapped(*args: object, **kwargs: object) -> int:
        try:
            return command(*args, **kwargs)
        except Refused as problem:
            _error(str(problem))
            return problem.status

    wrapped.__doc__ = command.__doc__
    return wrapped


Connect = Callable[["StoryBot", str], Awaitable[None]]


async def connect_to_discord(bot: "StoryBot", token: str) -> None:
    """Log in and hold the gateway connection until the bot is closed."""
    await bot.start(token)


@_one_line_errors
def run(
    config_path: str | Path | None = None,
    *,
    connect: Connect = connect_to_discord,
    shutdown_seconds: float = SHUTDOWN_SECONDS,
) -> int:
    """The whole of `python -m bot run`. `connect` is how the bot reaches Discord (the
    signal tests put a simulated Discord there, in their own process only)."""
    token = _token()
    config, engine = _load(config_path)
    from .client import create_bot

    bot = create_bot(config_path, engine=engine)
    shards = config.discord
    where = "" if shards.shard_count is None else f", shards {list(shards.shard_ids) or 'all'} of {shards.shard_count}"
    log.info("starting: %d document(s), %d passages%s", engine.documents, engine.passages, where)
    # Not `bot.run()`: it handles only Ctrl-C, and a host stops the bot with SIGTERM.
    stopped = _talk_to_discord(serve(bot, connect(bot, token), shutdown_seconds))
    return EXIT_OK if stopped.clean else EXIT_PROBLEM


async def log_in(bot: "StoryBot", token: str) -> None:
    """Log in over REST only (no gateway): enough to run setup_hook, which syncs."""
    await bot.login(token)


@_one_line_errors
def sync(config_path: str | Path | None = None, *, out: TextIO | None = None, connect: Connect = log_in) -> int:
    """`python -m bot sync`: log in, build the command tree as `run` does and sync it even
    if unchanged; exit 1 if Discord refuses the sync. (`connect`: as for `run`.)"""
    out = out or sys.stdout
    token = _token()
    config, engine = _load(config_path)
    from .client import create_bot

    bot = create_bot(config_path, engine=engine)
    bot.force_sync = True

    async def log_in_and_sync() -> None:
        async with bot:
            await connect(bot, token)  # setup_hook builds the tree and syncs it

    _talk_to_discord(log_in_and_sync())
    report = bot.last_sync
    if report is None:
        raise Refused("the command tree was not synced (the bot did not finish logging in)")
    if report.error:
        raise Refused(f"Discord refused the command sync: {report.error}")
    out.write(report.summary() + "\n")
    return EXIT_OK


@_one_line_errors
def invite(application_id: str | None = None, *, out: TextIO | None = None) -> int:
    """`python -m bot invite`: the URL on stdout (what it asks for on stderr). The application
    id comes from `--app-id`, else DISCORD_APPLICATION_ID, else Discord, asked with DISCORD_TOKEN."""
    out = out or sys.stdout
    given = application_id if application_id is not None else os.environ.get(APPLICATION_ID_VARIABLE, "").strip() or None
    if given is not None:
        try:
            app_id = parse_application_id(given)
        except ValueError as exc:
            source = "--app-id" if application_id is not None else APPLICATION_ID_VARIABLE
            raise Refused(f"{source}: {exc}", EXIT_USAGE) from None
    elif os.environ.get(TOKEN_VARIABLE, "").strip():
        app_id = _talk_to_discord(application_id_from_token(_token()))
    else:
        raise Refused(
            f"invite needs the application id: pass --app-id ID or set {APPLICATION_ID_VARIABLE} "
            f"(Developer Portal → your application → General Information → Application ID), or set {TOKEN_VARIABLE}",
            EXIT_USAGE,
        )
    out.write(invite_url(app_id) + "\n")
    print(f"scopes: {', '.join(SCOPES)}; permissions: {', '.join(PERMISSIONS.values())}", file=sys.stderr)
    return EXIT_OK
