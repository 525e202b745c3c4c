"""A new post in a forum channel in `forum` mode is answered in its thread, once.

Discord announces a new post with a thread-create event, which needs no privileged
intent. The question is the post's title: its first message is read only when the
operator enabled the privileged Message Content intent and says so
(`discord.message_content_intent: true`), because without it Discord sends that message
with empty text. Each post is answered once: a second event for the same thread (a
gateway replay, a cache that forgot the thread) is ignored. Posts by bots, including this
one, are never answered: the first message says who posted (its author comes with it,
intent or not), and it follows the thread-create event on the gateway.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ..answers._messages import question_in
from ..buttons._buttons import answer_controls
from ..embeds import NO_PINGS, answer_embed, notice
from ..modes import ModeFallbacks, channel_settings
from ..scopes import scope_for
from ..responding import SORRY, cooldown_text

if TYPE_CHECKING:
    from ..client import StoryBot

log = logging.getLogger(__name__)

# Posts remembered as answered (the oldest are forgotten first; a post is new only once).
REMEMBERED = 10_000
# How long to wait for a post's first message after its thread-create event.
FIRST_MESSAGE_SECONDS = 5.0


class Forums(commands.Cog):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot
        self.fallbacks = ModeFallbacks()
        self._answered: OrderedDict[int, None] = OrderedDict()
        self._not_forums: set[int] = set()  # channels in forum mode that are not forums (told once)

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        try:
            await self.answer_post(thread)
        except Exception:
            log.exception("failed to answer forum post %s", thread.id)

    def _is_new_post(self, thread: discord.Thread) -> bool:
        """A post in a forum in `forum` mode, by a person, not answered before."""
        me = self.bot.user
        if me is None or not self.bot.holder.loaded or thread.id in self._answered:
            return False
        if channel_settings(self.bot.settings, thread).mode != "forum":
            return False
        if not isinstance(thread.parent, discord.ForumChannel):  # a thread in a text channel is not a post
            if thread.parent_id not in self._not_forums:
                self._not_forums.add(thread.parent_id)
                log.warning("channel %s is in forum mode but is not a forum channel: its threads are not answered unasked", thread.parent_id)
            return False
        owner = thread.guild.get_member(thread.owner_id) if thread.owner_id else None
        return thread.owner_id not in (None, me.id) and not (owner is not None and owner.bot)

    async def answer_post(self, thread: discord.Thread) -> None:
        if not self._is_new_post(thread):
            return
        me = thread.guild.me
        if me is None or not self.fallbacks.usable(thread.parent_id, "forum", thread.permissions_for(me)):
            return
        self._answered[thread.id] = None  # before any await: a second event arriving meanwhile is ignored
        while len(self._answered) > REMEMBERED:
            self._answered.popitem(last=False)

        first = await self._first_message(thread)
        if first is not None and first.author.bot:
            return
        question = " ".join(thread.name.split())
        if self.bot.settings.message_content_intent and first is not None:
            question = "\n".join(part for part in (question, question_in(first)) if part)

        async def typing() -> None:
            await thread.typing()

        scope = scope_for(self.bot.settings, thread, thread.guild.id)  # the forum's documents, else the server's
        outcome = await self.bot.desk.ask(thread.owner_id, question, "forum", acknowledge=typing, documents=scope)  # type: ignore[arg-type]
        if outcome.status == "cooldown":
            if outcome.first_notice:
                await _post(thread, content=cooldown_text(outcome.retry_after))
            return
        if outcome.status == "error" or outcome.reply is None:
            await _post(thread, content=SORRY)
            return
        note = "question shortened" if outcome.truncated else None
        embed = answer_embed(outcome.reply, outcome.question, note)  # the question shown: Why this? reads it back
        delivered = await _post(thread, embed=embed, view=answer_controls(self.bot, outcome, thread.owner_id))
        self.bot.desk.delivered(outcome, delivered)  # the log line, and the insights log if it was sent
        if not delivered:
            await _post(thread, content=SORRY)

    async def _first_message(self, thread: discord.Thread) -> discord.Message | None:
        """The post's first message (its id is the thread's): from the gateway, which sends
        it just after the thread, else from Discord (Read Message History); None if neither."""
        message = thread.starter_message
        if message is not None:
            return message
        try:
            return await self.bot.wait_for("message", check=lambda m: m.id == thread.id, timeout=FIRST_MESSAGE_SECONDS)
        except asyncio.TimeoutError:
            pass
        try:
            return await thread.fetch_message(thread.id)
        except discord.HTTPException as exc:
            log.warning("could not read the first message of forum post %s: %s %s", thread.id, exc.status, exc.text)
            return None


async def _post(
    thread: discord.Thread,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> bool:
    """Post in the forum post's thread; False (logged) if Discord refused."""
    try:
        await thread.send(
            content=notice(content) if content is not None else None,
            embed=embed,  # type: ignore[arg-type]
            allowed_mentions=NO_PINGS,
            **({"view": view} if view is not None else {}),
        )
        return True
    except discord.HTTPException as exc:
        log.warning("could not answer forum post %s: %s %s", thread.id, exc.status, exc.text)
        return False
