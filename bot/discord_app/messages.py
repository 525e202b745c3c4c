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
from .views import send_answer

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)

_USER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)
# Discord refuses a reply (a message with a reference) where the bot lacks Read Message History.
CANNOT_REPLY_WITHOUT_HISTORY = 160002


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
        await _reply(bot, message, embed=help_embed(bot.holder.engine.config.discord.example_questions, bot.settings.max_question_length))
        return

    async def typing() -> None:
        await message.channel.typing()

    outcome = await bot.desk.ask(message.author.id, question, surface, acknowledge=typing)
    if outcome.status == "cooldown":
        if outcome.first_notice:  # in a channel, one notice per wait, not one per message
            await _reply(bot, message, content=cooldown_text(outcome.retry_after))
        return
    if outcome.status == "error" or outcome.reply is None:
        await _reply(bot, message, content=SORRY)
        return
    note = "question shortened" if outcome.truncated else None
    embed = answer_embed(outcome.reply, outcome.question, note)

    async def send_with(view: discord.ui.View | None) -> bool:
        return await _reply(bot, message, embed=embed, view=view)

    if not await send_answer(bot, outcome, surface, message.author.id, send_with):
        await _reply(bot, message, content=SORRY)


async def _reply(
    bot: StoryBot,
    message: discord.Message,
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
            _no_history(bot, message.channel.id)
    try:
        try:
            await _send(message.channel, content, embed, view, reference)
        except discord.HTTPException as exc:
            if reference is None or exc.code != CANNOT_REPLY_WITHOUT_HISTORY:
                raise
            _no_history(bot, message.channel.id)  # our view of the permissions was out of date
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


def _no_history(bot: StoryBot, channel_id: int) -> None:
    """Tell the operator once per channel (not once per message) that replies fall back."""
    warned = bot.no_history_channels
    if channel_id in warned:
        return
    if len(warned) >= 10_000:
        warned.clear()
    warned.add(channel_id)
    log.warning(
        "no Read Message History in channel %s: answering mentions there as plain messages, not replies "
        "(grant the permission to get replies)", channel_id,
    )
