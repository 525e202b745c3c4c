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
# Discord refuses a reply (a message with a reference) where the bot lacks Read Message History.
CANNOT_REPLY_WITHOUT_HISTORY = 160002
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


class NoHistory:
    """Channels where the bot may not read the history, so its replies fall back to plain
    messages; each is logged once (not once per message) until restart."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._channels: set[int] = set()

    def note(self, channel_id: int) -> None:
        if channel_id in self._channels:
            return
        if len(self._channels) >= self.LIMIT:
            self._channels.clear()
        self._channels.add(channel_id)
        log.warning(
            "no Read Message History in channel %s: answering mentions there as plain messages, not replies "
            "(grant the permission to get replies)", channel_id,
        )


async def reply_to(
    message: discord.Message,
    no_history: NoHistory,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> bool:
    """Answer in the same channel, as a reply in servers; False (logged) if Discord refused.

    A reply needs Read Message History (Discord refuses it otherwise, code 160002): where
    the bot lacks it, the answer is a plain message in the channel instead."""
    reference = None
    if message.guild is not None:
        if _may_read_history(message):
            reference = message.to_reference(fail_if_not_exists=False)
        else:
            no_history.note(message.channel.id)
    try:
        try:
            await _send(message.channel, content, embed, view, reference)
        except discord.HTTPException as exc:
            if reference is None or exc.code != CANNOT_REPLY_WITHOUT_HISTORY:
                raise
            no_history.note(message.channel.id)  # the cached permissions were out of date
            await _send(message.channel, content, embed, view, None)
        return True
    except discord.HTTPException as exc:
        log.warning("could not reply to a message in channel %s: %s %s", message.channel.id, exc.status, exc.text)
        return False


async def _send(
    channel: discord.abc.Messageable,
    content: str | None,
    embed: discord.Embed | None,
    view: discord.ui.View | None,
    reference: discord.MessageReference | None,
) -> None:
    await channel.send(
        content=notice(content) if content is not None else None,
        embed=embed,
        reference=reference,  # type: ignore[arg-type]
        allowed_mentions=NO_PINGS,
        **({"view": view} if view is not None else {}),
        mention_author=False,
    )


def _may_read_history(message: discord.Message) -> bool:
    """The bot's permissions in the channel, from the gateway's cache (no request)."""
    guild = message.guild
    channel = message.channel
    if guild is None or guild.me is None or not hasattr(channel, "permissions_for"):
        return True  # unknown: try the reply; a 160002 refusal falls back to a plain message
    return channel.permissions_for(guild.me).read_message_history  # type: ignore[union-attr]
