"""`python -m bot run`: start the bot with the token from DISCORD_TOKEN.

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
from typing import TYPE_CHECKING, Awaitable, Callable

import aiohttp
import discord

from ..config import ConfigError, load_config
from ..engine import CorpusError, Engine
from ..progress import ProgressReporter
from .shutdown import SHUTDOWN_SECONDS, serve

if TYPE_CHECKING:
    from .client import StoryBot

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
TOKEN_VARIABLE = "DISCORD_TOKEN"

log = logging.getLogger(__name__)


def _error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


Connect = Callable[["StoryBot", str], Awaitable[None]]


async def connect_to_discord(bot: "StoryBot", token: str) -> None:
    """Log in and hold the gateway connection until the bot is closed."""
    await bot.start(token)


def run(
    config_path: str | Path | None = None,
    *,
    connect: Connect = connect_to_discord,
    shutdown_seconds: float = SHUTDOWN_SECONDS,
) -> int:
    """The whole of `python -m bot run`. `connect` is how the bot reaches Discord (the
    signal tests put a simulated Discord there, in their own process only)."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        _error(
            f"{TOKEN_VARIABLE} is not set: set the {TOKEN_VARIABLE} environment variable "
            "to your bot's token (Discord Developer Portal → your application → Bot → Reset Token)"
        )
        return EXIT_USAGE
    try:
        config = load_config(config_path)
        logging.basicConfig(
            level=getattr(logging, config.logging.level),
            format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        )
        # Load before connecting: a broken corpus is reported without touching Discord.
        engine = Engine.load(config, progress=ProgressReporter(logger=log))  # a bar on a terminal, else log lines
    except (ConfigError, CorpusError) as exc:
        _error(str(exc))
        return EXIT_PROBLEM

    from .client import create_bot

    bot = create_bot(config_path, engine=engine)
    log.info("starting: %d document(s), %d passages", engine.documents, engine.passages)
    try:
        # Not `bot.run()`: it handles only Ctrl-C, and a host stops the bot with SIGTERM.
        stopped = asyncio.run(serve(bot, connect(bot, token), shutdown_seconds))
    except discord.LoginFailure:
        _error(f"Discord refused the token in {TOKEN_VARIABLE}; check it (or reset it) in the Developer Portal")
        return EXIT_PROBLEM
    except discord.PrivilegedIntentsRequired:
        _error("Discord says the bot requested a privileged intent it is not allowed to use")
        return EXIT_PROBLEM
    except (aiohttp.ClientError, OSError) as exc:
        _error(f"cannot reach Discord ({type(exc).__name__}); check the network connection")
        return EXIT_PROBLEM
    return EXIT_OK if stopped.clean else EXIT_PROBLEM
