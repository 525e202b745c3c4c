"""Thread mode (`discord.channels.<id>.mode: thread`): a question asked in such a channel
gets a thread of its own, named after the question, and the answer is posted there.

A mention starts the thread on the member's message. /ask has no message to start it on,
so its response is the question (escaped, pinging nobody) and the thread starts on that.
Follow-ups asked inside the thread, by mention or /ask, are answered in the thread like
in any channel. Whether the channel is in thread mode, and whether the bot may use it
there, is decided in modes.py; if starting the thread or posting in it fails anyway, the
caller answers as a reply.
"""

from __future__ import annotations

import logging
import re

import discord

from ...config import DiscordConfig
from ...presentation import escape_markdown, shorten
from ..embeds import NO_PINGS, notice
from ..installs import through_member_install_only
from ..limits import THREAD_NAME
from ..modes import ModeFallbacks, starts_threads
from ._messages import _MARKUP

log = logging.getLogger(__name__)

# A thread's messages stay open this long after the last one (minutes; Discord's choices: 60, 1440, 4320, 10080).
AUTO_ARCHIVE_MINUTES = 1440
# The name is also the text of Discord's "started a thread" notice in the channel, which
# pings nobody only if it holds no @everyone / @here: a zero-width space defuses them.
_MASS_MENTION = re.compile(r"@(everyone|here)\b")


def thread_name(question: str) -> str:
    """The question as a thread name: mentions and emoji markup out, mass mentions defused,
    at most 100 characters."""
    text = " ".join(_MARKUP.sub(" ", question).split())
    return shorten(_MASS_MENTION.sub("@\u200b\\1", text), THREAD_NAME) or "Question"


class ThreadMode:
    """Where a question gets a thread, and answering in it; the permissions fallback is told once per channel."""

    def __init__(self) -> None:
        self.fallbacks = ModeFallbacks()

    def for_interaction(self, settings: DiscordConfig, interaction: discord.Interaction) -> bool:
        """A channel in thread mode, the bot installed in the server (a member's own
        installation cannot start the bot's threads), and the permissions there."""
        channel = interaction.channel
        if channel is None or not starts_threads(settings, channel) or through_member_install_only(interaction):
            return False
        return self.fallbacks.usable(channel.id, "thread", interaction.app_permissions)

    def for_message(self, settings: DiscordConfig, message: discord.Message) -> bool:
        """A channel in thread mode where the bot has the permissions."""
        channel, guild = message.channel, message.guild
        if guild is None or guild.me is None or not starts_threads(settings, channel):
            return False
        return self.fallbacks.usable(channel.id, "thread", channel.permissions_for(guild.me))  # type: ignore[union-attr]

    async def answer_interaction(
        self, interaction: discord.Interaction, question: str, embed: discord.Embed, view: discord.ui.View | None
    ) -> bool:
        """The question as the response, the answer in a thread on it; False if Discord refused."""
        thread = await on_response(interaction, question)
        return thread is not None and await post(thread, embed, view)

    async def answer_message(
        self, message: discord.Message, question: str, embed: discord.Embed, view: discord.ui.View | None
    ) -> bool:
        """The answer in a thread on the member's message; False if Discord refused."""
        thread = await on_message(message, question)
        return thread is not None and await post(thread, embed, view)


async def on_message(message: discord.Message, question: str) -> discord.Thread | None:
    """A thread on the member's message; None (logged) if Discord refused."""
    try:
        return await message.create_thread(name=thread_name(question), auto_archive_duration=AUTO_ARCHIVE_MINUTES)
    except discord.HTTPException as exc:
        log.warning("could not start a thread in channel %s: %s %s", message.channel.id, exc.status, exc.text)
        return None


async def on_response(interaction: discord.Interaction, question: str) -> discord.Thread | None:
    """Post the question as the interaction's public response and start a thread on it;
    None (logged) if Discord refused either (the response may then already be sent)."""
    header = notice(f"**Question:** {escape_markdown(question)}")
    try:
        if interaction.response.is_done():  # deferred while the answer was found
            message: discord.Message = await interaction.followup.send(header, allowed_mentions=NO_PINGS, wait=True)
        else:
            await interaction.response.send_message(header, allowed_mentions=NO_PINGS)
            message = await interaction.original_response()
        return await message.create_thread(name=thread_name(question), auto_archive_duration=AUTO_ARCHIVE_MINUTES)
    except discord.HTTPException as exc:
        log.warning("could not start a thread for /ask in channel %s: %s %s", interaction.channel_id, exc.status, exc.text)
        return None


async def post(thread: discord.Thread, embed: discord.Embed, view: discord.ui.View | None) -> bool:
    """The answer in the thread; False (logged) if Discord refused."""
    try:
        await thread.send(embed=embed, allowed_mentions=NO_PINGS, **({"view": view} if view is not None else {}))
        return True
    except discord.HTTPException as exc:
        log.warning("could not post in thread %s: %s %s", thread.id, exc.status, exc.text)
        return False
