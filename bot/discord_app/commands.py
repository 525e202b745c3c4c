"""The slash commands: /ask, /source, /help and the operator-only /reload.

Built per bot (not at import time) because the /ask option's length limit comes
from the config. No `from __future__ import annotations` here: discord.py reads
the parameter annotations, including the config-dependent Range, at definition.
"""

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ..presentation import escape_markdown, shorten
from .embeds import CONTENT, answer_embed, help_embed, source_embed
from .holder import ReloadReport
from .operators import admit_operator
from .responding import apologise, cooldown_text, deliver, send
from .views import send_answer

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)

EVERYWHERE = {"guilds": True, "dms": True, "private_channels": False}


class StoryTree(app_commands.CommandTree):
    """Last line of defence: an exception in any command is logged and the user gets a short notice."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        try:
            await apologise(interaction)
        except Exception:  # never let the error handler itself fail loudly
            log.exception("could not tell the user about the failure of /%s", name)


def add_commands(bot: "StoryBot") -> None:
    for command in (ask_command(bot), source_command(bot), help_command(bot), reload_command(bot)):
        bot.tree.add_command(command)


async def answer_interaction(
    bot: "StoryBot", interaction: discord.Interaction, question: str, surface: str, ephemeral: bool
) -> None:
    """Answer a question asked through an interaction (/ask, the message command): the
    answer with its buttons, the cooldown notice, or an apology; acknowledged exactly once.

    Where the member may not post (an announcements channel), the answer is theirs alone:
    Discord would accept a public response there, echoing their question to everyone."""
    ephemeral = ephemeral or not may_post(interaction)

    async def defer() -> None:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)

    outcome = await bot.desk.ask(interaction.user.id, question, surface, acknowledge=defer)  # type: ignore[arg-type]
    if outcome.status == "cooldown":
        await send(interaction, content=cooldown_text(outcome.retry_after), ephemeral=True)
    elif outcome.status == "error" or outcome.reply is None:
        await apologise(interaction)
    else:
        note = "question shortened" if outcome.truncated else None
        embed = answer_embed(outcome.reply, outcome.question, note)

        async def send_with(view: discord.ui.View | None) -> bool:
            return await send(interaction, embed=embed, ephemeral=ephemeral, view=view)

        if not await send_answer(bot, outcome, surface, interaction.user.id, send_with):
            await apologise(interaction)


def may_post(interaction: discord.Interaction) -> bool:
    """Whether the member may post in the channel the interaction came from (DMs: yes).

    `interaction.permissions` are the member's resolved permissions in that channel, sent
    by Discord with the interaction; in a DM they are empty, so the guild decides."""
    if interaction.guild_id is None:
        return True
    channel = interaction.channel
    in_thread = isinstance(channel, discord.Thread)
    permissions = interaction.permissions
    return permissions.send_messages_in_threads if in_thread else permissions.send_messages


def operator_command(name: str, description: str):  # type: ignore[no-untyped-def]
    """An operator-only slash command: hidden from members by default permissions (the
    handler still checks, see operators.admit_operator), usable in servers and DMs."""

    def wrap(handler):  # type: ignore[no-untyped-def]
        handler = app_commands.allowed_installs(guilds=True, users=False)(handler)
        handler = app_commands.allowed_contexts(**EVERYWHERE)(handler)
        handler = app_commands.default_permissions(administrator=True)(handler)
        return app_commands.command(name=name, description=description)(handler)

    return wrap


def ask_command(bot: "StoryBot") -> app_commands.Command:
    limit = bot.settings.max_question_length

    @app_commands.command(name="ask", description="Ask a question about the story; I quote the passage that answers it")
    @app_commands.describe(question="Your question, e.g. “When was Meng Wanzhou arrested?”")
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, limit]) -> None:
        await answer_interaction(bot, interaction, question, "slash", bot.holder.engine.config.discord.ephemeral)

    return ask


def source_command(bot: "StoryBot") -> app_commands.Command:
    @app_commands.command(name="source", description="The documents I answer from, and when they were loaded")
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def source(interaction: discord.Interaction) -> None:
        await deliver(interaction, embed=source_embed(bot.holder.engine, bot.holder.loaded_at), ephemeral=True)

    return source


def help_command(bot: "StoryBot") -> app_commands.Command:
    @app_commands.command(name="help", description="How to ask me about the story, with examples")
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def help_(interaction: discord.Interaction) -> None:
        settings = bot.holder.engine.config.discord
        await deliver(interaction, embed=help_embed(settings.example_questions, bot.settings.max_question_length), ephemeral=True)

    return help_


def reload_command(bot: "StoryBot") -> app_commands.Command:
    @operator_command("reload", "Operators only: reload the config and the story from disk")
    async def reload(interaction: discord.Interaction) -> None:
        # Acknowledged first: the owner lookup and the rebuild can both take longer than 3 s.
        if not await admit_operator(bot, interaction, "Sorry, only the bot's operators can reload it. Nothing was changed."):
            return
        log.info("/reload requested by operator %s", interaction.user.id)
        report = await bot.holder.reload()
        await deliver(interaction, content=reload_text(report), ephemeral=True)

    return reload


def reload_text(report: ReloadReport) -> str:
    counts = (
        f"Documents: {report.documents_before} → {report.documents_after}\n"
        f"Passages: {report.passages_before} → {report.passages_after}"
    )
    if report.ok:
        text = f"Reloaded in {report.seconds:.2f} s.\n{counts}"
        for note in report.notes:  # what the features changed (the question log, ...)
            text += "\n" + note
        if report.skipped:  # corpus.on_error: skip served the rest; say what is missing and why
            text += f"\n**Left out** ({_count(len(report.skipped), 'file')}, corpus.on\\_error: skip):\n"
            text += "\n".join("• " + escape_markdown(problem) for problem in report.skipped)
        return shorten(text, CONTENT)
    head = (
        f"Reload failed after {report.seconds:.2f} s, so I'm still answering from the previous index "
        f"({_count(report.documents_before, 'document')}, {_count(report.passages_before, 'passage')}).\n**Reason:** "
    )
    return head + shorten(escape_markdown(report.error or "unknown"), CONTENT - len(head) - 10)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
