"""What Context and Why this? show: the passages around a quote, and how it was chosen."""

from __future__ import annotations

import discord

from ...engine import Engine
from ...engine.explanation import Explanation
from ...presentation import escape_markdown, paragraph_label, quote_block, shorten
from ..embeds import fit
from ..limits import DESCRIPTION, TITLE

EXPLAIN_COLOUR = discord.Colour.dark_teal()

NO_ANSWER_BECAUSE = {
    "n": "Your question names something the story never mentions, so the story is not about it.",
    "f": "Your question asks for a time or a number (“when”, “how many”), and no passage that matches it has one.",
    "v": "Your question doesn't say what it is about: its words are too general to find a passage.",
    "m": "No passage contains any of your question's words.",
}


def context_embed(engine: Engine, position: int) -> discord.Embed:
    """The passages just before and after, around a shortened copy of the one quoted."""
    index = engine.index
    passage = index.passages[position]
    document = index.documents[passage.document_id]
    total = len(document.paragraphs)
    budget = (DESCRIPTION - 300) // 3 // 2  # escaping can double a text's length

    def section(heading: str, i: int | None, edge: str) -> str:
        if i is None:
            return f"**{heading}**\n*({edge})*"
        p = index.passages[i]
        text = escape_markdown(shorten(p.text, budget))
        return f"**{heading}** · {paragraph_label(p.paragraphs, total, p)}\n{quote_block([text])}"

    description = "\n\n".join(
        [
            section("Before", index.previous(position), "the document starts here"),
            section("The quoted passage", position, ""),
            section("After", index.next(position), "the document ends here"),
        ]
    )
    embed = discord.Embed(
        title=shorten(f"Context: {document.title}", TITLE),
        description=shorten(description, DESCRIPTION),
        colour=EXPLAIN_COLOUR,
    )
    return fit(embed)


def why_embed(explanation: Explanation, answered: bool, more: bool = False, reason: str = "") -> discord.Embed:
    lines = [
        "I search with the question's **terms**: its words without common ones (“the”, “was”), "
        "reduced to a stem (“arrested” → `arrest`). A rarer term weighs more (BM25's IDF).",
        "",
    ]
    if not explanation.terms:
        lines.append("Your question had no words I can search with.")
    for t in explanation.terms:
        where = "in this passage" if answered and t.in_passage else ("not in this passage" if answered else "")
        if t.passages == 0:
            where = (where + "; " if where else "") + "the story never uses it"
        elif not answered:
            where = f"in {t.passages} passage{'s' if t.passages != 1 else ''}"
        if t.weight is None:
            lines.append(f"➖ `{t.term}` not counted (a generic question word)")
        else:
            mark = "✅" if answered and t.in_passage else ("❌" if answered or t.passages == 0 else "•")
            lines.append(f"{mark} `{t.term}` weight {t.weight:.2f} — {where}")
    if more:
        lines.append("… and more terms than a button can carry.")
    lines.append("")
    need = f"{explanation.min_coverage:.0%}"
    if answered:
        lines.append(f"This passage holds **{explanation.coverage:.0%}** of the question's weight (an answer needs {need}).")
        if explanation.score is not None:
            lines.append(f"Its BM25 score for these terms is {explanation.score:.2f}; passages are ranked by it.")
    else:
        lines.append(
            NO_ANSWER_BECAUSE.get(reason)
            or f"I answer only when one passage holds at least {need} of the question's weight, and none did."
        )
        missing = explanation.missing_from_story
        if missing:
            lines.append("The story never uses: " + ", ".join(f"`{m}`" for m in missing) + ".")
    embed = discord.Embed(
        title="Why this passage?" if answered else "Why no answer?",
        description=shorten("\n".join(lines), DESCRIPTION),
        colour=EXPLAIN_COLOUR,
    )
    return fit(embed)
