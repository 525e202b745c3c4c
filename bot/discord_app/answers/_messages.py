"""Questions that arrive as messages: any DM to the bot, `@bot question` in a channel, or
the text of a message someone picked "Ask the story bot" on.

Works without the privileged message-content intent: Discord delivers the text of DMs
and of messages that mention the bot anyway. Other messages arrive with empty content
and are ignored, as are bots (including this one) and system messages.
"""

from __future__ import annotations

import logging
import re

import discord

from ..embeds import NO_PINGS, notice

log = logging.getLogger(__name__)

_USER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)
_MARKUP = re.compile(r"<(?:[@#][!&]?\d+|a?:\w+:\d+|t:\d+(?::\w)?)>")


def question_for_bot(message: discord.Message, me: discord.abc.User) -> str | None:
    """The question in `message` if it is addressed to the bot, else None."""
    if message.author.bot or message.author.id == me.id or message.type not in _USER_MESSAGES:
        return None
    token = re.compile(rf"<@!?{me.id}>")
    # In a server only an explicit @mention counts: replying to the bot also lists
    # it in `mentions`, but a reply to an answer is usually a remark to people.
    if message.guild is not None and not token.search(message.content):
        return None
    return " ".join(token.sub(" ", message.content).split())


def question_in(message: discord.Message) -> str:
    """The message's text as a question: mentions, channels and custom emoji removed."""
    return " ".join(_MARKUP.sub(" ", message.content or "").split())


async def reply_to(
    message: discord.Message,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> bool:
    """Answer in the same channel, as a reply in servers; False (logged) if Discord refused."""
    reference = message.to_reference(fail_if_not_exists=False) if message.guild is not None else None
    try:
        await message.channel.send(
            content=notice(content) if content is not None else None,
            embed=embed,
            reference=reference,  # type: ignore[arg-type]
            allowed_mentions=NO_PINGS,
            **({"view": view} if view is not None else {}),
            mention_author=False,
        )
        return True
    except discord.HTTPException as exc:
        log.warning("could not reply to a message in channel %s: %s %s", message.channel.id, exc.status, exc.text)
        return False
