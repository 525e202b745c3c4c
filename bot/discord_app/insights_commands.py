"""Wires issue 6 into the bot: the insights log, the answer buttons, /stats,
the "Ask the story bot" message command and /ask autocomplete.

`setup(bot)` runs in `setup_hook` after the core commands are added and before
the command tree is synced; `teardown(bot)` commits what is queued on close. The
insights settings are read at start-up (a /reload does not reopen the log).
"""

import asyncio
import logging
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ..engine.suggestions import MAX_CHARS, Suggester, cached_suggester, suggester_for
from ..insights import InsightsError, InsightsRecorder, InsightsStore, Stats, compute_stats
from ..insights.stats import Counts, paragraph_span, percent
from ..presentation import escape_markdown, shorten
from .commands import EVERYWHERE, answer_interaction, operator_command
from .embeds import ANSWERED, DESCRIPTION, FIELD_VALUE, fit
from .operators import admit_operator
from .responding import deliver, send
from .views import BUTTONS

if TYPE_CHECKING:
    from ..config import Config
    from ..engine import Engine
    from .client import StoryBot

log = logging.getLogger(__name__)

ASK_ABOUT_MESSAGE = "Ask the story bot"
_MARKUP = re.compile(r"<(?:[@#][!&]?\d+|a?:\w+:\d+|t:\d+(?::\w)?)>")


@dataclass
class Insights:
    """What this feature keeps on the bot (`bot.insights`)."""

    recorder: InsightsRecorder | None = None
    warming: "asyncio.Task[object] | None" = None  # suggestions being built for a new index

    @property
    def store(self) -> InsightsStore | None:
        return self.recorder.store if self.recorder is not None else None


async def setup(bot: "StoryBot") -> None:
    config = bot.holder.engine.config
    feature = Insights()
    if config.insights.enabled:
        # The bot answers without a log rather than not at all; /reload tries again.
        feature.recorder, _ = await _open_recorder(config)
    bot.insights = feature  # type: ignore[attr-defined]
    bot.add_dynamic_items(*BUTTONS)
    bot.tree.add_command(stats_command(bot))
    bot.tree.add_command(ask_about_message(bot))
    ask = bot.tree.get_command("ask")
    if isinstance(ask, app_commands.Command):
        ask.autocomplete("question")(_autocomplete(bot))
    # Built in the background, for each index put in service: start-up, a reload and
    # the first keystroke never wait for it.
    warm_suggestions(bot)
    bot.holder.on_swap.append(lambda engine: warm_suggestions(bot))
    bot.holder.after_reload.append(lambda engine: apply_insights_settings(bot, engine))


async def _open_recorder(config: "Config") -> "tuple[InsightsRecorder | None, str | None]":
    """The log described by config.insights, opened off the event loop; or the reason it can't be."""
    try:
        store = await asyncio.to_thread(InsightsStore.open, config)
    except InsightsError as exc:
        log.error("insights disabled: %s", exc)
        return None, str(exc)
    log.info("insights log: %s (question text %s)", store.path, "kept" if store.log_question_text else "not kept")
    return InsightsRecorder(store), None


async def apply_insights_settings(bot: "StoryBot", engine: "Engine") -> str | None:
    """A /reload applies every insights setting but the database path: `enabled` both ways
    (off: what is queued is committed, then nothing more is logged and new answers carry
    no feedback buttons; on: the log opens), a log that could not be opened is tried
    again, and `log_question_text` / `retention_days` apply to the open log. Returns the
    line for the reload report, or None when nothing changed."""
    feature: Insights = bot.insights  # type: ignore[attr-defined]
    settings = engine.config.insights
    recorder = feature.recorder
    if not settings.enabled:
        if recorder is None:
            return None
        feature.recorder = None  # from now on: no rows, no feedback buttons
        await asyncio.to_thread(recorder.close)  # commits what was queued before
        log.info("insights log closed (insights.enabled: false)")
        return "Question log: off (insights.enabled: false). Nothing more is logged and new answers have no feedback buttons."
    if recorder is None:
        feature.recorder, error = await _open_recorder(engine.config)
        if feature.recorder is None:
            return f"Question log: still off, it could not be opened: {escape_markdown(error or 'unknown error')}"
        return f"Question log: on ({escape_markdown(str(feature.recorder.store.path))})."
    store = recorder.store
    if (store.log_question_text, store.retention_days) == (settings.log_question_text, settings.retention_days):
        return None
    erasing = store.log_question_text and not settings.log_question_text
    await asyncio.to_thread(store.reconfigure, settings.log_question_text, settings.retention_days)
    log.info("insights: question text %s, retention %d days", "kept" if settings.log_question_text else "not kept", settings.retention_days)
    if erasing:
        return "Question log: question text no longer kept; the text already kept was erased."
    return None


def warm_suggestions(bot: "StoryBot") -> None:
    """Start building the current index's suggestions off the event loop, once."""
    feature = getattr(bot, "insights", None)
    engine = bot.holder.engine
    if feature is None or cached_suggester(engine) is not None:
        return
    if feature.warming is not None and not feature.warming.done():
        return
    feature.warming = asyncio.get_running_loop().create_task(asyncio.to_thread(suggester_for, engine))


def teardown(bot: "StoryBot") -> None:
    feature = getattr(bot, "insights", None)
    if feature is not None and feature.recorder is not None:
        feature.recorder.close()


# -- /ask autocomplete --------------------------------------------------------------------


def _autocomplete(bot: "StoryBot"):
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            engine = bot.holder.engine
            # Built once per index, in the background; until then only the example questions.
            suggester = cached_suggester(engine)
            if suggester is None:
                warm_suggestions(bot)
                suggester = Suggester((), engine.config.discord.example_questions)
            limit = min(MAX_CHARS, bot.settings.max_question_length)
            return [app_commands.Choice(name=s, value=s) for s in suggester.suggest(current, max_chars=limit)]
        except Exception:
            log.exception("autocomplete failed")
            return []

    return complete


# -- "Ask the story bot" on a message -----------------------------------------------------


def question_in(message: discord.Message) -> str:
    """The message's text as a question: mentions, channels and custom emoji removed."""
    return " ".join(_MARKUP.sub(" ", message.content or "").split())


def ask_about_message(bot: "StoryBot") -> app_commands.ContextMenu:
    @app_commands.context_menu(name=ASK_ABOUT_MESSAGE)
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def ask_about(interaction: discord.Interaction, message: discord.Message) -> None:
        question = question_in(message)
        if not question:
            await send(interaction, content="That message has no text I can ask the story about.", ephemeral=True)
            return

        await answer_interaction(bot, interaction, question, "context_menu", ephemeral=True)

    return ask_about


# -- /stats -------------------------------------------------------------------------------


def stats_command(bot: "StoryBot") -> app_commands.Command:
    @operator_command("stats", "Operators only: questions, answers and feedback")
    async def stats(interaction: discord.Interaction) -> None:
        if not await admit_operator(bot, interaction, "Sorry, only the bot's operators can see its statistics."):
            return
        feature = getattr(bot, "insights", None)
        store = feature.store if feature is not None else None
        if store is None:
            enabled = bot.holder.engine.config.insights.enabled
            why = "it could not open its database (see the log; /reload tries again)" if enabled else "`insights.enabled` is false in config.yaml"
            await send(interaction, content=f"No statistics: the question log is off because {why}.", ephemeral=True)
            return
        try:
            numbers = await asyncio.to_thread(compute_stats, store)
        except (sqlite3.Error, InsightsError, OSError) as exc:
            # Said to the operator, privately: what is wrong and with which file.
            log.error("/stats could not read the question log %s: %s", store.path, exc)
            await send(interaction, content=stats_failure_text(str(store.path), exc), ephemeral=True)
            return
        titles = {d.id: d.title for d in bot.holder.engine.index.corpus.documents}
        await deliver(interaction, embed=stats_embed(numbers, titles), ephemeral=True)

    return stats


def stats_failure_text(path: str, error: BaseException) -> str:
    return (
        f"I couldn't read the statistics from the question log `{path}`: {escape_markdown(str(error) or type(error).__name__)}. "
        "Answers are not affected. If the file is damaged, stop the bot and move it away; a new log starts on the next start."
    )


def _counts(c: Counts) -> str:
    people = "person" if c.people == 1 else "people"
    return (
        f"**{c.questions}** question{'s' if c.questions != 1 else ''} from {c.people} {people}\n"
        f"{c.answered} answered ({percent(c.answered, c.questions)}) · {c.abstained} not answered\n"
        f"👍 {c.helpful} · 👎 {c.not_helpful}"
    )


def _lines(lines: list[str], empty: str) -> str:
    """Join whole lines up to a field's 1,024 characters."""
    out = ""
    for line in lines:
        if len(out) + len(line) + 1 > FIELD_VALUE:
            break
        out += ("\n" if out else "") + line
    return out or empty


def stats_embed(stats: Stats, titles: dict[str, str]) -> discord.Embed:
    kept = "forever" if stats.retention_days <= 0 else f"{stats.retention_days} days"
    embed = discord.Embed(title="Questions and feedback", colour=ANSWERED)
    embed.add_field(name="Today (UTC)", value=_counts(stats.today), inline=True)
    embed.add_field(name="Last 7 days", value=_counts(stats.last_7_days), inline=True)
    embed.add_field(name=f"All kept ({kept})", value=_counts(stats.retained), inline=True)
    top = []
    for p in stats.top_paragraphs:
        title = escape_markdown(shorten(titles.get(p.document_id, p.document_id), 80))
        top.append(f"{p.questions} × “{title}” {paragraph_span(p.paragraphs)} (👍 {p.helpful} · 👎 {p.not_helpful})")
    embed.add_field(name="Most asked paragraphs", value=_lines(top, "None yet."), inline=False)
    if stats.question_text_logged:
        for name, items in (("Recent unanswered questions", stats.recent_unanswered), ("Recent “not helpful” answers", stats.recent_not_helpful)):
            lines = [
                f"{discord.utils.format_dt(item.asked_at, 'R')} {escape_markdown(shorten(' '.join(item.question.split()), 200))}"
                for item in items
            ]
            embed.add_field(name=name, value=_lines(lines, "None."), inline=False)
    else:
        embed.set_footer(text="Question text isn't logged; set insights.log_question_text: true to see what went unanswered.")
    embed.description = shorten(
        "What people asked and whether the story answered. Unanswered questions show what to add to the corpus.", DESCRIPTION
    )
    return fit(embed)
