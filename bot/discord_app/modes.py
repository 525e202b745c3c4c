"""Per-channel answer modes (`discord.channels`): which mode a channel is in, and whether
the bot has the permissions that mode needs there.

`reply` (every channel not listed) needs nothing new. `thread` starts a thread on the
question and answers there; `forum` answers each new post of a forum channel in its
thread. A mode the bot lacks a permission for is not used: the question is answered as a
reply instead (a forum post is left to members to ask by mention), and the operator is
told once per channel, not once per question, so the log stays readable.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord

from ..config import ChannelSettings, DiscordConfig

log = logging.getLogger(__name__)

Mode = Literal["reply", "thread", "forum"]

# What each mode needs beyond answering where it was asked, as Discord names it.
NEEDS: dict[str, dict[str, str]] = {
    # A thread on a message needs the message to be readable (Discord: Read Message History).
    "thread": {
        "create_public_threads": "Create Public Threads",
        "send_messages_in_threads": "Send Messages in Threads",
        "read_message_history": "Read Message History",
    },
    "forum": {"send_messages_in_threads": "Send Messages in Threads"},
}

_UNLISTED = ChannelSettings()
_TOLD_LIMIT = 10_000


def channel_settings(settings: DiscordConfig, channel: object) -> ChannelSettings:
    """The channel's entry in `discord.channels`; a thread without one follows its parent's."""
    channel_id = getattr(channel, "id", None)
    entry = settings.channels.get(channel_id) if isinstance(channel_id, int) else None
    if entry is None and isinstance(channel, discord.Thread):
        entry = settings.channels.get(channel.parent_id)
    return entry or _UNLISTED


def starts_threads(settings: DiscordConfig, channel: object) -> bool:
    """Whether a question asked in `channel` gets a thread of its own: a text channel in
    `thread` mode. Inside a thread (a follow-up), the answer stays in that thread."""
    return isinstance(channel, discord.TextChannel) and channel_settings(settings, channel).mode == "thread"


def opens_forum_post(settings: DiscordConfig, message: discord.Message) -> bool:
    """Whether `message` is the first message of a post in a forum in `forum` mode (its id
    is the post's): the post is answered once from the forum feature, not again as a mention."""
    channel = message.channel
    return (
        isinstance(channel, discord.Thread)
        and message.id == channel.id
        and isinstance(channel.parent, discord.ForumChannel)
        and channel_settings(settings, channel).mode == "forum"
    )


class ModeFallbacks:
    """Decides whether a mode can be used with the bot's permissions in a channel, and
    tells the operator once per channel and mode when it cannot."""

    def __init__(self) -> None:
        self._told: set[tuple[int, str]] = set()

    def usable(self, channel_id: int, mode: Mode, permissions: discord.Permissions) -> bool:
        missing = [name for flag, name in NEEDS.get(mode, {}).items() if not getattr(permissions, flag)]
        if not missing:
            return True
        if (channel_id, mode) not in self._told:
            if len(self._told) >= _TOLD_LIMIT:
                self._told.clear()
            self._told.add((channel_id, mode))
            instead = "answering as replies" if mode == "thread" else "not answering new posts by itself"
            log.warning(
                "channel %s is in %s mode but the bot lacks %s there: %s (grant the permission to use the mode)",
                channel_id, mode, ", ".join(missing), instead,
            )
        return False
