"""Where questions come in and answers go out: /ask, the "Ask the story bot" message
command, DMs and @mentions. Each takes the question desk's one path, and the answer
goes out as one embed with its buttons (or the cooldown notice, or an apology): as a
reply where it was asked, or in a thread of its own in a channel in thread mode
(_threads.py). With `discord.user_install`, /ask and the message command also work
through a member's own installation (installs.py).

/ask is built when the Cog loads, not at import, because its option's length limit
comes from the config (`discord.max_question_length`, applied at start-up). No
`from __future__ import annotations` here: discord.py reads the parameter annotations,
including that config-dependent Range, when the command is defined.
"""

import logging
from typing import TYPE_CHECKING, Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from ..buttons._buttons import answer_controls
from ..embeds import answer_embed, notice
from ..help._embeds import help_embed
from ..installs import may_answer_publicly, member_contexts, member_installs
from ..limits import CHOICE_CHARS, CHOICES
from ..modes import opens_forum_post
from ..scopes import documents_in, narrow, scope_for, story_choices
from ...presentation import unknown_story
from ..questions import Outcome
from ..responding import SORRY, apologise, cooldown_text, send
from ._autocomplete import AskSuggestions
from ._messages import NoHistory, question_for_bot, question_in, reply_to
from ._threads import ThreadMode

if TYPE_CHECKING:
    from ...engine import Engine
    from ..client import StoryBot

log = logging.getLogger(__name__)

ASK_ABOUT_MESSAGE = "Ask the story bot"


class Answers(commands.Cog):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot
        self.suggestions = AskSuggestions(bot.holder)
        self.no_history = NoHistory()  # channels where mentions get plain messages, not replies
        self._commands: list[app_commands.Command | app_commands.ContextMenu] = []
        self.threads = ThreadMode()

    async def cog_load(self) -> None:
        self._commands = [self._ask_command(), self._ask_about_message()]
        for command in self._commands:
            self.bot.tree.add_command(command)
        self.suggestions.warm()
        self.bot.holder.on_swap.append(self._new_engine)

    async def cog_unload(self) -> None:
        for command in self._commands:
            # A slash command has no `.type` (only context menus do): it is a chat-input command.
            kind = getattr(command, "type", discord.AppCommandType.chat_input)
            self.bot.tree.remove_command(command.name, type=kind)
        if self._new_engine in self.bot.holder.on_swap:
            self.bot.holder.on_swap.remove(self._new_engine)

    def _new_engine(self, engine: "Engine") -> None:
        self.suggestions.warm(engine)

    # -- /ask and "Ask the story bot" -------------------------------------------------------

    def _ask_command(self) -> app_commands.Command:
        limit = self.bot.settings.max_question_length
        user_install = self.bot.settings.user_install
        bot = self.bot

        @app_commands.command(name="ask", description="Ask a question about the story; I quote the passage that answers it")
        @app_commands.describe(
            question="Your question, e.g. “When was Meng Wanzhou arrested?”",
            story="Only this story (of those I answer from here)",
        )
        @app_commands.allowed_contexts(**member_contexts(user_install))
        @app_commands.allowed_installs(**member_installs(user_install))
        async def ask(
            interaction: discord.Interaction,
            question: app_commands.Range[str, 1, limit],  # type: ignore[valid-type]
            story: app_commands.Range[str, 1, CHOICE_CHARS] | None = None,  # type: ignore[valid-type]
        ) -> None:
            await self.answer_interaction(interaction, question, "slash", bot.settings.ephemeral, story=story)

        @ask.autocomplete("question")
        async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            try:
                return [app_commands.Choice(name=s, value=s) for s in self.suggestions.suggest(current)]
            except Exception:
                log.exception("autocomplete failed")
                return []

        @ask.autocomplete("story")
        async def complete_story(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            """The titles of the documents this channel answers from."""
            try:
                if not bot.holder.loaded:
                    return []
                scope = scope_for(bot.settings, interaction.channel, interaction.guild_id)
                choices = story_choices(bot.holder.engine.index, scope, current, CHOICES, CHOICE_CHARS)
                return [app_commands.Choice(name=name, value=value) for name, value in choices]
            except Exception:
                log.exception("story autocomplete failed")
                return []

        return ask

    def _ask_about_message(self) -> app_commands.ContextMenu:
        user_install = self.bot.settings.user_install

        @app_commands.context_menu(name=ASK_ABOUT_MESSAGE)
        @app_commands.allowed_contexts(**member_contexts(user_install))
        @app_commands.allowed_installs(**member_installs(user_install))
        async def ask_about(interaction: discord.Interaction, message: discord.Message) -> None:
            question = question_in(message)
            if not question:
                await send(interaction, content="That message has no text I can ask the story about.", ephemeral=True)
                return
            await self.answer_interaction(interaction, question, "context_menu", ephemeral=True)

        return ask_about

    async def answer_interaction(
        self, interaction: discord.Interaction, question: str, surface: str, ephemeral: bool, story: str | None = None
    ) -> None:
        """Answer a question asked through an interaction (/ask, the message command): the
        answer with its buttons, the cooldown notice, or an apology; acknowledged exactly once.

        Where the member may not post (an announcements channel), the answer is theirs
        alone: Discord would accept a public response there, echoing their question. So it
        is where a member's own installation may not post publicly (installs.py). A public
        /ask in a channel in thread mode is answered in a thread started on it.

        The answer comes from the channel's documents (scopes.py), or the one `story` of them."""
        scope = scope_for(self.bot.settings, interaction.channel, interaction.guild_id)
        narrowed = narrow(self.bot.holder.engine.index, scope, story, CHOICE_CHARS)
        if not narrowed.found:
            titles = [d.title for d in documents_in(self.bot.holder.engine.index, scope)]
            await send(interaction, content=notice(unknown_story(story or "", titles)), ephemeral=True)
            return
        ephemeral = ephemeral or not may_post(interaction) or not may_answer_publicly(interaction)
        threaded = not ephemeral and surface == "slash" and self.threads.for_interaction(self.bot.settings, interaction)

        async def defer() -> None:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)

        outcome = await self.bot.desk.ask(
            interaction.user.id, question, surface, acknowledge=defer, documents=narrowed.scope  # type: ignore[arg-type]
        )
        if outcome.status == "cooldown":
            await send(interaction, content=cooldown_text(outcome.retry_after), ephemeral=True)
        elif outcome.status == "error" or outcome.reply is None:
            await apologise(interaction)
        else:
            note = "question shortened" if outcome.truncated else None
            embed = answer_embed(outcome.reply, outcome.question, note)

            async def send_with(view: discord.ui.View | None) -> bool:
                if threaded and await self.threads.answer_interaction(interaction, outcome.question, embed, view):
                    return True
                return await send(interaction, embed=embed, ephemeral=ephemeral, view=view)

            if not await self.send_answer(outcome, interaction.user.id, send_with):
                await apologise(interaction)

    async def send_answer(
        self, outcome: Outcome, asker_id: int, send_with: Callable[[discord.ui.View | None], Awaitable[bool]]
    ) -> bool:
        """Send an answer with its buttons (`send_with` says whether Discord took it), then
        tell the desk how it went: the log line says delivered or failed, and only a
        delivered answer reaches the insights log."""
        delivered = await send_with(answer_controls(self.bot, outcome, asker_id))
        self.bot.desk.delivered(outcome, delivered)
        return delivered

    # -- DMs and @mentions --------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        try:
            await self.answer_message(message)
        except Exception:
            log.exception("failed to handle a message")

    async def answer_message(self, message: discord.Message) -> None:
        """Never raises: a failure is logged and, when possible, the asker is told."""
        bot = self.bot
        me = bot.user
        if me is None or not bot.holder.loaded:
            return
        question = question_for_bot(message, me)
        if question is None or opens_forum_post(bot.settings, message):  # a new post: answered by forums/
            return
        surface = "dm" if message.guild is None else "mention"
        if not question:  # "@bot" alone, or a DM with only an attachment: explain instead
            settings = bot.settings
            await reply_to(message, self.no_history, embed=help_embed(settings.example_questions, settings.max_question_length))
            return

        async def typing() -> None:
            await message.channel.typing()

        threaded = self.threads.for_message(bot.settings, message)
        scope = scope_for(bot.settings, message.channel, message.guild.id if message.guild else None)
        outcome = await bot.desk.ask(message.author.id, question, surface, acknowledge=typing, documents=scope)
        if outcome.status == "cooldown":
            if outcome.first_notice:  # in a channel, one notice per wait, not one per message
                await reply_to(message, self.no_history, content=cooldown_text(outcome.retry_after))
            return
        if outcome.status == "error" or outcome.reply is None:
            await reply_to(message, self.no_history, content=SORRY)
            return
        note = "question shortened" if outcome.truncated else None
        # The question is shown under the answer, as for /ask: Why this? reads it back.
        embed = answer_embed(outcome.reply, outcome.question, note)

        async def send_with(view: discord.ui.View | None) -> bool:
            if threaded and await self.threads.answer_message(message, outcome.question, embed, view):
                return True
            return await reply_to(message, self.no_history, embed=embed, view=view)

        if not await self.send_answer(outcome, message.author.id, send_with):
            await reply_to(message, self.no_history, content=SORRY)


def may_post(interaction: discord.Interaction) -> bool:
    """Whether the member may post in the channel the interaction came from (DMs: yes).

    `interaction.permissions` are the member's resolved permissions in that channel, sent
    by Discord with the interaction; in a DM they are empty, so the guild decides."""
    if interaction.guild_id is None:
        return True
    permissions = interaction.permissions
    if isinstance(interaction.channel, discord.Thread):
        return permissions.send_messages_in_threads
    return permissions.send_messages
