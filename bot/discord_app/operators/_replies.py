"""What /reload and /stats answer: the reload report, and the statistics embed."""

from __future__ import annotations

import discord

from ...insights import Stats
from ...insights.stats import Counts, percent
from ...presentation import escape_markdown, paragraph_span, shorten
from ..embeds import ANSWERED, fit
from ..holder import ReloadReport
from ..limits import CONTENT, DESCRIPTION, FIELD_VALUE


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


def stats_failure_text(path: str, error: BaseException) -> str:
    return (
        f"I couldn't read the statistics from the question log `{path}`: {escape_markdown(str(error) or type(error).__name__)}. "
        "Answers are not affected. If the file is damaged, stop the bot and move it away: a new log starts with the bot."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
