"""Questions that arrive as messages: any DM to the bot, or `@bot question` in a channel.

Works without the privileged message-content intent: Discord delivers the text
of DMs and of messages that mention the bot anyway. Other messages arrive with
empty content and are ignored, as are bots (including this one) and system
messages.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from .embeds import NO_PINGS, answer_embed, help_embed, notice
from .responding import SORRY, cooldown_text
from .views import answer_controls

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)

_USER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)


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


async def on_message(bot: StoryBot, message: discord.Message) -> None:
    """Never raises: a failure is logged and, when possible, the asker is told."""
    me = bot.user
    if me is None or not bot.holder.loaded:
        return
    question = question_for_bot(message, me)
    if question is None:
        return
    surface = "dm" if message.guild is None else "mention"
    if not question:  # "@bot" alone, or a DM with only an attachment: explain instead
        await _reply(message, embed=help_embed(bot.holder.engine.config.discord.example_questions, bot.settings.max_question_length))
        return

    async def typing() -> None:
        await message.channel.typing()

    outcome = await bot.desk.ask(message.author.id, question, surface, acknowledge=typing)
    if outcome.status == "cooldown":
        if outcome.first_notice:  # in a channel, one notice per wait, not one per message
            await _reply(message, content=cooldown_text(outcome.retry_after))
        return
    if outcome.status == "error" or outcome.reply is None:
        await _reply(message, content=SORRY)
        return
    note = "question shortened" if outcome.truncated else None
    view = answer_controls(bot, outcome, surface, message.author.id)  # buttons; logs the question
    if not await _reply(message, embed=answer_embed(outcome.reply, note=note), view=view):
        await _reply(message, content=SORRY)


async def _reply(
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
