"""Wires issue 6 into the bot: the insights log, the answer buttons, /stats,
the "Ask the story bot" message command and /ask autocomplete.

`setup(bot)` runs in `setup_hook` after the core commands are added and before
the command tree is synced; `teardown(bot)` commits what is queued on close. The
insights settings are read at start-up (a /reload does not reopen the log).
"""

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ..engine.suggestions import MAX_CHARS, Suggester, cached_suggester, suggester_for
from ..insights import InsightsError, InsightsRecorder, InsightsStore, Stats, compute_stats
from ..insights import Gaps
from ..insights.stats import Counts, paragraph_span, percent
from ..presentation import escape_markdown, shorten
from .commands import EVERYWHERE, answer_interaction, operator_command
from .embeds import ANSWERED, DESCRIPTION, FIELD_VALUE, fit
from .operators import admit_operator
from .responding import deliver, send
from .views import BUTTONS

if TYPE_CHECKING:
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
        try:
            store = await asyncio.to_thread(InsightsStore.open, config)
            feature.recorder = InsightsRecorder(store)
            log.info("insights log: %s (question text %s)", store.path, "kept" if store.log_question_text else "not kept")
        except InsightsError as exc:
            # The bot answers without a log rather than not at all.
            log.error("insights disabled: %s", exc)
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
    bot.holder.on_swap.append(lambda engine: _apply_privacy_settings(bot, engine))


def _apply_privacy_settings(bot: "StoryBot", engine: "Engine") -> None:
    """A /reload applies insights.log_question_text and retention_days to the open log."""
    feature = getattr(bot, "insights", None)
    store = feature.store if feature is not None else None
    if store is None:
        return
    settings = engine.config.insights
    if (store.log_question_text, store.retention_days) == (settings.log_question_text, settings.retention_days):
        return

    async def apply() -> None:
        try:
            await asyncio.to_thread(store.reconfigure, settings.log_question_text, settings.retention_days)
            log.info("insights: question text %s, retention %d days", "kept" if settings.log_question_text else "not kept", settings.retention_days)
        except Exception:
            log.exception("could not apply the new insights settings")

    asyncio.get_running_loop().create_task(apply())


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
            why = "it could not open its database (see the log)" if enabled else "`insights.enabled` is false in config.yaml"
            await send(interaction, content=f"No statistics: the question log is off because {why}.", ephemeral=True)
            return
        numbers = await asyncio.to_thread(compute_stats, store)
        titles = {d.id: d.title for d in bot.holder.engine.index.corpus.documents}
        await deliver(interaction, embed=stats_embed(numbers, titles), ephemeral=True)

    return stats


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


def gaps_field(gaps: Gaps) -> str:
    """Declined and "not helpful" questions grouped by shared terms, largest first, within one field."""
    head = f"{gaps.declined} declined · {gaps.not_helpful} marked not helpful"
    lines = [head]
    for gap in gaps.groups:
        kinds = " · ".join(
            part for part in (f"{gap.declined} declined" if gap.declined else "", f"{gap.not_helpful} 👎" if gap.not_helpful else "") if part
        )
        lines.append(f"**{gap.questions}** × {escape_markdown(shorten(gap.label, 100))} ({kinds})")
        if gap.example is not None:
            lines.append(f"> {escape_markdown(shorten(' '.join(gap.example.split()), 150))}")
    if not gaps.groups:
        lines.append("No group yet." if gaps.examples else "No group yet: without question text, a group needs two people.")
    elif not gaps.examples:
        lines.append("*Terms only; each group was asked by two or more people.*")
    return _lines(lines, head)


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
    embed.add_field(name="Gaps: what the story is missing", value=gaps_field(stats.gaps), inline=False)
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
