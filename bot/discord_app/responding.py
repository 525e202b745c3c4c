"""Answering an interaction exactly once, whatever state it is in, and never raising.

discord.py needs `response.send_message` for the first reply and `followup.send`
after a defer; using the wrong one (or both) is a double acknowledgement, which
Discord rejects. Everything sent here pings nobody.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import discord

from .embeds import NO_PINGS, notice

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong while answering that. Please try again in a moment."


async def send(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    ephemeral: bool = False,
    view: discord.ui.View | None = None,
) -> bool:
    """Send the reply (first response or follow-up); on a Discord error, log it and return False."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if view is not None:
        kwargs["view"] = view
    if content is not None:
        kwargs["content"] = notice(content)
    if embed is not None:
        kwargs["embed"] = embed
    try:
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)
        return True
    except discord.HTTPException as exc:
        log.warning("could not reply to /%s: %s %s", _name(interaction), exc.status, exc.text)
        return False


async def deliver(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    ephemeral: bool = False,
    view: discord.ui.View | None = None,
) -> bool:
    """Send the reply; if Discord refuses it, try once to tell the user (ephemerally)."""
    if await send(interaction, content=content, embed=embed, ephemeral=ephemeral, view=view):
        return True
    return await send(interaction, content=SORRY, ephemeral=True)


async def apologise(interaction: discord.Interaction, text: str = SORRY) -> None:
    """A short ephemeral error message, whether or not the interaction was acknowledged."""
    await send(interaction, content=text, ephemeral=True)


def cooldown_text(retry_after: float) -> str:
    seconds = max(1, math.ceil(retry_after))
    unit = "second" if seconds == 1 else "seconds"
    return f"You're asking faster than I can keep up with. Please wait {seconds} {unit} before your next question."


def _name(interaction: discord.Interaction) -> str:
    command = interaction.command
    return command.qualified_name if command is not None else "interaction"
