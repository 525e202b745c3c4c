"""The buttons under every answer: Next match, Context, Why this?, Helpful / Not helpful.

Each button is a `discord.ui.DynamicItem` whose custom id carries everything its
click needs (the answer id, the match shown, references to the matched passages,
the question's analysed terms). Nothing lives in memory, so a click on an old
message works after the bot restarts; references are checked against the index in
service, so after a reload that changed the passage the click gets a short notice.

Custom ids (Discord allows 100 characters):
  sb:n:<answer id>:<rank>:<ref>,<ref>,...   Next match (rank = the match shown now)
  sb:c:<ref>                                Context
  sb:w:<ref or ->:<term> <term> ...         Why this? ("+" at the end: more terms than fit)
  sb:f:<y|n>:<answer id>:<rank>:<ref or ->  Helpful / Not helpful
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Sequence

import discord

from ..engine import Engine
from ..engine.explanation import Explanation, explain, match_at
from ..engine.topics import topics
from ..insights import FeedbackRecord, QuestionRecord, new_answer_id
from ..presentation import escape_markdown, paragraph_label, quote_block, render_match, shorten
from .embeds import DESCRIPTION, NO_PINGS, TITLE, answer_embed, fit
from .passage_refs import PassageRef, document_id, resolve
from .questions import QUOTE_LIMIT, Outcome
from .responding import apologise, send

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)

CUSTOM_ID = 100
_AID = r"[0-9a-f]{10}"
_REF = r"[a-z0-9.]+"
MORE_TERMS = "+"
GONE = (
    "That passage is no longer in the story as it was when I answered (it changed at the last reload). "
    "Ask again for a fresh answer."
)
EXPLAIN_COLOUR = discord.Colour.dark_teal()


# -- the buttons ------------------------------------------------------------------------


class NextMatch(discord.ui.DynamicItem[discord.ui.Button], template=rf"sb:n:(?P<aid>{_AID}):(?P<rank>\d{{1,2}}):(?P<refs>[a-z0-9.,]+)"):
    def __init__(self, aid: str, rank: int, refs: Sequence[str]) -> None:
        self.aid, self.rank, self.refs = aid, rank, list(refs)
        custom_id = f"sb:n:{aid}:{rank}:{','.join(self.refs)}"
        super().__init__(discord.ui.Button(label="Next match", emoji="⏭️", style=discord.ButtonStyle.primary, custom_id=custom_id))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "NextMatch":
        return cls(match["aid"], int(match["rank"]), match["refs"].split(","))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, on_next(interaction, self))


class ShowContext(discord.ui.DynamicItem[discord.ui.Button], template=rf"sb:c:(?P<ref>{_REF})"):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(discord.ui.Button(label="Context", emoji="📄", style=discord.ButtonStyle.secondary, custom_id=f"sb:c:{ref}"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "ShowContext":
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, on_context(interaction, self.ref))


# An abstention's Why button carries "-" and a letter for the rule that abstained.
REASON_CODES = {"coverage": "c", "name": "n", "form": "f", "vague": "v", "nomatch": "m"}


class WhyThis(discord.ui.DynamicItem[discord.ui.Button], template=rf"sb:w:(?P<ref>{_REF}|-[a-z]?):(?P<terms>[^:]*)"):
    def __init__(self, ref: str, terms: Sequence[str]) -> None:
        self.ref, self.terms = ref, list(terms)
        super().__init__(
            discord.ui.Button(label="Why this?", emoji="🔎", style=discord.ButtonStyle.secondary, custom_id=why_custom_id(ref, self.terms))
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "WhyThis":
        return cls(match["ref"], match["terms"].split())

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, on_why(interaction, self.ref, self.terms))


class Feedback(discord.ui.DynamicItem[discord.ui.Button], template=rf"sb:f:(?P<vote>[yn]):(?P<aid>{_AID}):(?P<rank>\d{{1,2}}):(?P<ref>{_REF}|-)"):
    def __init__(self, helpful: bool, aid: str, rank: int, ref: str) -> None:
        self.helpful, self.aid, self.rank, self.ref = helpful, aid, rank, ref
        button = discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            emoji="👍" if helpful else "👎",
            style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
            custom_id=f"sb:f:{'y' if helpful else 'n'}:{aid}:{rank}:{ref}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "Feedback":
        return cls(match["vote"] == "y", match["aid"], int(match["rank"]), match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, on_feedback(interaction, self))


BUTTONS = (NextMatch, ShowContext, WhyThis, Feedback)


def why_custom_id(ref: str, terms: Sequence[str]) -> str:
    """As many terms as fit; a trailing "+" says some were left out."""
    head = f"sb:w:{ref}:"
    kept: list[str] = []
    for i, term in enumerate(terms):
        more = i + 1 < len(terms)
        candidate = " ".join(kept + [term])
        room = CUSTOM_ID - len(head) - (len(MORE_TERMS) + 1 if more else 0)
        if len(candidate) > room:
            kept.append(MORE_TERMS)
            break
        kept.append(term)
    return head + " ".join(kept)


def fitting_refs(aid: str, refs: Sequence[str]) -> list[str]:
    """The matches whose references fit in a Next match custom id (99 ranks at most)."""
    kept: list[str] = []
    for ref in refs[:99]:
        if len(f"sb:n:{aid}:99:{','.join(kept + [ref])}") > CUSTOM_ID:
            break
        kept.append(ref)
    return kept


def controls(
    aid: str, rank: int, refs: Sequence[str], terms: Sequence[str], feedback: bool, reason_kind: str = ""
) -> discord.ui.View:
    """The row of buttons for the match at `rank` (no refs: an abstention, only Why and feedback)."""
    view = discord.ui.View(timeout=None)
    ref = refs[rank] if refs else "-"
    if len(refs) > 1:
        view.add_item(NextMatch(aid, rank, refs))
    if refs:
        view.add_item(ShowContext(ref))
    view.add_item(WhyThis(ref if refs else "-" + REASON_CODES.get(reason_kind, ""), terms))
    if feedback:
        view.add_item(Feedback(True, aid, rank, ref))
        view.add_item(Feedback(False, aid, rank, ref))
    return view


def answer_controls(bot: "StoryBot", outcome: Outcome, surface: str, user_id: int) -> discord.ui.View | None:
    """Record the question in the insights log and return the buttons for its answer.

    Called once per answer the bot sends; never raises (an answer without buttons is
    better than no answer).
    """
    answer = outcome.answer
    if answer is None or outcome.engine is None:
        return None
    try:
        aid = new_answer_id()
        recorder = getattr(getattr(bot, "insights", None), "recorder", None)
        if recorder is not None:
            # Its subject terms: kept if it was declined, or if someone marks the answer not helpful.
            terms = topics(answer, outcome.engine.index.analyzer)
            recorder.record(QuestionRecord.from_answer(answer, surface, user_id, aid, terms=terms))
        refs = [] if answer.abstained else fitting_refs(aid, [PassageRef.of(m.passage).encode() for m in answer.matches])
        return controls(aid, 0, refs, answer.terms, feedback=recorder is not None, reason_kind=answer.reason_kind)
    except Exception:
        log.exception("could not build the answer's buttons")
        return None


# -- what the clicks do -----------------------------------------------------------------


async def _guarded(interaction: discord.Interaction, work: Any) -> None:
    try:
        await work
    except Exception:
        log.exception("button %s failed", (interaction.data or {}).get("custom_id"))
        await apologise(interaction)


def _engine(interaction: discord.Interaction) -> Engine:
    return interaction.client.holder.engine  # type: ignore[attr-defined]


def _message_custom_ids(message: discord.Message | None) -> list[str]:
    ids: list[str] = []
    for row in message.components if message is not None else []:
        for child in getattr(row, "children", [row]):
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                ids.append(custom_id)
    return ids


def _terms_on(message: discord.Message | None) -> list[str]:
    """The question's terms, read from the message's own Why this? button."""
    for custom_id in _message_custom_ids(message):
        match = WhyThis.__discord_ui_compiled_template__.fullmatch(custom_id)
        if match:
            return [t for t in match["terms"].split() if t != MORE_TERMS]
    return []


async def on_next(interaction: discord.Interaction, item: NextMatch) -> None:
    engine = _engine(interaction)
    rank = (item.rank + 1) % len(item.refs)
    ref = PassageRef.decode(item.refs[rank])
    position = resolve(engine, ref) if ref is not None else None
    if position is None:
        await send(interaction, content=GONE, ephemeral=True)
        return
    terms = _terms_on(interaction.message)
    reply = render_match(match_at(engine, position, terms), engine, QUOTE_LIMIT)
    embed = answer_embed(reply, note=f"match {rank + 1} of {len(item.refs)}")
    old = interaction.message.embeds[0] if interaction.message and interaction.message.embeds else None
    for field in old.fields if old is not None else []:
        embed.add_field(name=field.name or "", value=field.value or "", inline=bool(field.inline))
    feedback = any(c.startswith("sb:f:") for c in _message_custom_ids(interaction.message))
    view = controls(item.aid, rank, item.refs, terms, feedback)
    await interaction.response.edit_message(embed=fit(embed), view=view, allowed_mentions=NO_PINGS)


async def on_context(interaction: discord.Interaction, ref_text: str) -> None:
    engine = _engine(interaction)
    ref = PassageRef.decode(ref_text)
    position = resolve(engine, ref) if ref is not None else None
    if position is None:
        await send(interaction, content=GONE, ephemeral=True)
        return
    await send(interaction, embed=context_embed(engine, position), ephemeral=True)


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


async def on_why(interaction: discord.Interaction, ref_text: str, terms: Sequence[str]) -> None:
    engine = _engine(interaction)
    shown = [t for t in terms if t != MORE_TERMS]
    position = None
    if not ref_text.startswith("-"):
        ref = PassageRef.decode(ref_text)
        position = resolve(engine, ref) if ref is not None else None
        if position is None:
            await send(interaction, content=GONE, ephemeral=True)
            return
    explanation = explain(engine, shown, position)
    reason = ref_text[1:] if ref_text.startswith("-") else ""
    embed = why_embed(explanation, answered=position is not None, more=MORE_TERMS in terms, reason=reason)
    await send(interaction, embed=embed, ephemeral=True)


NO_ANSWER_BECAUSE = {
    "n": "Your question names something the story never mentions, so the story is not about it.",
    "f": "Your question asks for a time or a number (“when”, “how many”), and no passage that matches it has one.",
    "v": "Your question doesn't say what it is about: its words are too general to find a passage.",
    "m": "No passage contains any of your question's words.",
}


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


async def on_feedback(interaction: discord.Interaction, item: Feedback) -> None:
    recorder = getattr(getattr(interaction.client, "insights", None), "recorder", None)
    if recorder is None:
        await send(interaction, content="Thanks! Feedback isn't being recorded on this bot right now.", ephemeral=True)
        return
    ref = PassageRef.decode(item.ref) if item.ref != "-" else None
    recorder.record(
        FeedbackRecord(
            item.aid,
            item.helpful,
            user_id=interaction.user.id,
            match_rank=item.rank,
            document_id=document_id(_engine(interaction), ref) if ref is not None else None,
            paragraphs=(ref.paragraph, ref.paragraph) if ref is not None else None,
        )
    )
    text = (
        "Thanks, noted as helpful."
        if item.helpful
        else "Thanks, noted as not helpful. It shows the operator what the story is missing."
    )
    await send(interaction, content=text, ephemeral=True)
