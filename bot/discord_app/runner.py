"""`python -m bot run`: start the bot with the token from DISCORD_TOKEN.

Every expected failure (no token, a broken config or corpus, a token Discord
refuses, no network) is one line on stderr and a non-zero exit status, never a
traceback. The token itself is never printed or logged.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import aiohttp
import discord

from ..config import ConfigError, load_config
from ..engine import CorpusError, Engine
from ..progress import ProgressReporter

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
TOKEN_VARIABLE = "DISCORD_TOKEN"

log = logging.getLogger(__name__)


def _error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


def run(config_path: str | Path | None = None) -> int:
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
        bot.run(token, log_handler=None)  # logging is configured above
    except discord.LoginFailure:
        _error(f"Discord refused the token in {TOKEN_VARIABLE}; check it (or reset it) in the Developer Portal")
        return EXIT_PROBLEM
    except discord.PrivilegedIntentsRequired:
        if config.discord.message_content_intent:  # the only privileged intent the bot may request
            _error(
                "Discord refused the Message Content intent that 'discord.message_content_intent: true' requests: "
                "enable it in the Developer Portal (your application → Bot → Privileged Gateway Intents) "
                "or set discord.message_content_intent to false"
            )
        else:
            _error("Discord says the bot requested a privileged intent it is not allowed to use")
        return EXIT_PROBLEM
    except (aiohttp.ClientError, OSError) as exc:
        _error(f"cannot reach Discord ({type(exc).__name__}); check the network connection")
        return EXIT_PROBLEM
    return EXIT_OK
