"""The buttons under every answer, and what a click on each does.

Each button is a `discord.ui.DynamicItem` whose custom id (_ids.py) carries what its
click needs (the answer id, the match shown, references to the matched passages, a hash
telling who asked); the question's terms are recomputed from the question the answer
shows, never carried. Nothing lives in memory, so a click on an old message works after
the bot restarts; references are checked against the index in service, so after a
reload that changed the passage the click gets a short notice.

Next match on your own answer (or a private one) pages the message; on someone else's
public answer it sends you the next match privately, so nobody changes what everyone reads.

Under an abstention, up to three "closest in the story" buttons each show one of the
nearest passages, privately and labelled as not an answer. Every button only ever shows
the passages its answer referenced (and their neighbours), so an answer given within a
channel's documents (scopes.py) keeps its buttons within them too.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Sequence

import discord

from ...engine import Answer, Engine, Match
from ...engine.explanation import explain, match_at
from ...insights import FeedbackRecord
from ...presentation import nearest_label, nearest_topic, render_match, render_nearest
from ..embeds import NO_PINGS, answer_embed, fit, question_on
from ..limits import BUTTON_LABEL
from ..insights_log._cog import recorder_of
from ..questions import Outcome
from ..responding import apologise, send
from . import _ids
from ._embeds import context_embed, why_embed
from ._refs import PassageRef, doc_key, document_id, document_of_key, resolve
from ..scopes import scope_for

log = logging.getLogger(__name__)

GONE = (
    "That passage is no longer in the story as it was when I answered (it changed at the last reload). "
    "Ask again for a fresh answer."
)


async def _position_or_gone(interaction: discord.Interaction, engine: Engine, ref: str) -> int | None:
    """The referenced passage's position in the index in service; None, after a short private
    notice to the clicker, when a reload removed or changed it."""
    decoded = PassageRef.decode(ref)
    position = resolve(engine, decoded) if decoded is not None else None
    if position is None:
        await send(interaction, content=GONE, ephemeral=True)
    return position


class NextMatch(discord.ui.DynamicItem[discord.ui.Button], template=_ids.NEXT):
    def __init__(self, aid: str, rank: int, refs: Sequence[str], asker: str | None) -> None:
        self.aid, self.rank, self.refs, self.asker = aid, rank, list(refs), asker
        custom_id = _ids.next_id(aid, rank, self.refs, asker)
        button = discord.ui.Button(label="Next match", emoji="⏭️", style=discord.ButtonStyle.primary, custom_id=custom_id)
        super().__init__(button)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "NextMatch":
        return cls(match["aid"], int(match["rank"]), match["refs"].split(","), match["asker"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, self.show_next(interaction), "Next match")

    def pages_in_place(self, interaction: discord.Interaction) -> bool:
        """The asker pages their own answer; a private answer (ephemeral, or in a DM) has
        one reader. Anyone else must not change a message everyone sees."""
        message = interaction.message
        if message is None:
            return False
        if message.flags.ephemeral or interaction.guild_id is None:
            return True
        if self.asker is not None:
            return self.asker == _ids.asker_tag(self.aid, interaction.user.id)
        metadata = message.interaction_metadata  # an id from before <asker>: Discord says who ran /ask
        return metadata is not None and metadata.user.id == interaction.user.id

    async def show_next(self, interaction: discord.Interaction) -> None:
        """The next match, keeping the question field and buttons: in the same message for
        its asker, in a private copy for anyone else (which they page in place from then on)."""
        engine = _engine(interaction)
        rank = (self.rank + 1) % len(self.refs)
        position = await _position_or_gone(interaction, engine, self.refs[rank])
        if position is None:
            return
        terms, _ = await _question_terms(engine, interaction.message)
        reply = render_match(match_at(engine, position, terms), engine)
        embed = answer_embed(reply, note=f"match {rank + 1} of {len(self.refs)}")
        old = interaction.message.embeds[0] if interaction.message and interaction.message.embeds else None
        for field in old.fields if old is not None else []:
            embed.add_field(name=field.name or "", value=field.value or "", inline=bool(field.inline))
        ids = _message_custom_ids(interaction.message)
        feedback = any(c.startswith(_ids.FEEDBACK_PREFIX) for c in ids)
        scope = next((s for s in map(_ids.why_scope, ids) if s), [])  # the page keeps its answer's scope
        if self.pages_in_place(interaction):
            view = controls(self.aid, rank, self.refs, self.asker, feedback, scope=scope)
            await interaction.response.edit_message(embed=fit(embed), view=view, allowed_mentions=NO_PINGS)
        else:
            view = controls(self.aid, rank, self.refs, _ids.asker_tag(self.aid, interaction.user.id), feedback, scope=scope)
            await send(interaction, embed=fit(embed), view=view, ephemeral=True)


class ShowContext(discord.ui.DynamicItem[discord.ui.Button], template=_ids.CONTEXT):
    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(discord.ui.Button(label="Context", emoji="📄", style=discord.ButtonStyle.secondary, custom_id=_ids.context_id(ref)))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "ShowContext":
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, self.show_context(interaction), "Context")

    async def show_context(self, interaction: discord.Interaction) -> None:
        engine = _engine(interaction)
        position = await _position_or_gone(interaction, engine, self.ref)
        if position is None:
            return
        await send(interaction, embed=context_embed(engine, position), ephemeral=True)


class WhyThis(discord.ui.DynamicItem[discord.ui.Button], template=_ids.WHY):
    def __init__(self, ref: str, scope: Sequence[str] = ()) -> None:
        self.ref, self.scope = ref, list(scope)
        super().__init__(
            discord.ui.Button(
                label="Why this?", emoji="🔎", style=discord.ButtonStyle.secondary, custom_id=_ids.why_id(ref, self.scope)
            )
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "WhyThis":
        return cls(match["ref"], match["scope"].split(".") if match["scope"] else ())

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, self.explain(interaction), "Why this?")

    async def explain(self, interaction: discord.Interaction) -> None:
        engine = _engine(interaction)
        shown, more = await _question_terms(engine, interaction.message)
        position = None
        if not self.ref.startswith("-"):
            position = await _position_or_gone(interaction, engine, self.ref)
            if position is None:
                return
        explanation = explain(engine, shown, position, documents=self.documents(interaction, engine))
        reason = _ids.KIND_OF_CODE.get(self.ref[1:], "") if self.ref.startswith("-") else ""
        embed = why_embed(explanation, answered=position is not None, more=more, reason=reason)
        await send(interaction, embed=embed, ephemeral=True)

    def documents(self, interaction: discord.Interaction, engine: Engine) -> frozenset[str] | None:
        """The answer's scope: carried by the id, else the channel's as configured now (scopes.py)."""
        if self.scope:
            return frozenset(d for key in self.scope if (d := document_of_key(engine, key)) is not None)
        settings = interaction.client.holder.settings  # type: ignore[attr-defined]
        return scope_for(settings, interaction.channel, interaction.guild_id)


class Feedback(discord.ui.DynamicItem[discord.ui.Button], template=_ids.FEEDBACK):
    def __init__(self, helpful: bool, aid: str, rank: int, ref: str) -> None:
        self.helpful, self.aid, self.rank, self.ref = helpful, aid, rank, ref
        button = discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            emoji="👍" if helpful else "👎",
            style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
            custom_id=_ids.feedback_id(helpful, aid, rank, ref),
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "Feedback":
        return cls(match["vote"] == "y", match["aid"], int(match["rank"]), match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, self.vote(interaction), "Helpful" if self.helpful else "Not helpful")

    async def vote(self, interaction: discord.Interaction) -> None:
        recorder = recorder_of(interaction.client)
        if recorder is None:
            await send(interaction, content="Thanks! Feedback isn't being recorded on this bot right now.", ephemeral=True)
            return
        ref = PassageRef.decode(self.ref) if self.ref != "-" else None
        recorder.record(
            FeedbackRecord(
                self.aid,
                self.helpful,
                user_id=interaction.user.id,
                match_rank=self.rank,
                document_id=document_id(_engine(interaction), ref) if ref is not None else None,
                paragraphs=(ref.paragraph, ref.paragraph) if ref is not None else None,
            )
        )
        text = (
            "Thanks, noted as helpful."
            if self.helpful
            else "Thanks, noted as not helpful. It shows the operator what the story is missing."
        )
        await send(interaction, content=text, ephemeral=True)


class ShowNearest(discord.ui.DynamicItem[discord.ui.Button], template=_ids.NEAREST):
    """One of an abstention's nearest passages, shown only to the clicker, as not an answer."""

    def __init__(self, ref: str, label: str = "Closest in the story") -> None:
        self.ref = ref
        button = discord.ui.Button(
            label=_label(label), emoji="📍", style=discord.ButtonStyle.secondary, custom_id=_ids.nearest_id(ref)
        )
        super().__init__(button, row=0)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]) -> "ShowNearest":
        return cls(match["ref"], item.label or "Closest in the story")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, self.show(interaction), "Closest in the story")

    async def show(self, interaction: discord.Interaction) -> None:
        engine = _engine(interaction)
        position = await _position_or_gone(interaction, engine, self.ref)
        if position is None:
            return
        terms, _ = await _question_terms(engine, interaction.message)  # to bold the words it shares
        reply = render_nearest(match_at(engine, position, terms), engine)
        await send(interaction, embed=answer_embed(reply, note="not an answer"), ephemeral=True)


BUTTONS = (NextMatch, ShowContext, WhyThis, Feedback, ShowNearest)


def controls(
    aid: str,
    rank: int,
    refs: Sequence[str],
    asker: str | None,
    feedback: bool,
    reason_kind: str = "",
    nearest: Sequence[tuple[str, str]] = (),
    scope: Sequence[str] = (),
) -> discord.ui.View:
    """The row of buttons for the match at `rank` (no refs: an abstention, only Why and feedback);
    `nearest` (ref, label): an abstention's closest passages, on a row of their own above;
    `scope`: the answer's documents as short keys, for Why this?."""
    view = discord.ui.View(timeout=None)
    ref = refs[rank] if refs else "-"
    for nearest_ref, label in nearest:
        view.add_item(ShowNearest(nearest_ref, label))
    row = 1 if nearest else None
    if len(refs) > 1:
        view.add_item(_on_row(NextMatch(aid, rank, refs, asker), row))
    if refs:
        view.add_item(_on_row(ShowContext(ref), row))
    view.add_item(_on_row(WhyThis(ref if refs else "-" + _ids.REASON_CODES.get(reason_kind, ""), scope), row))
    if feedback:
        view.add_item(_on_row(Feedback(True, aid, rank, ref), row))
        view.add_item(_on_row(Feedback(False, aid, rank, ref), row))
    return view


def _on_row(item: discord.ui.DynamicItem, row: int | None) -> discord.ui.DynamicItem:
    if row is not None:
        item.row = row
    return item


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_LABEL else text[: BUTTON_LABEL - 1] + "…"


def answer_controls(client: discord.Client, outcome: Outcome, asker_id: int) -> discord.ui.View | None:
    """The buttons for an answer the desk gave to `asker_id`.

    Never raises: an answer without buttons is better than no answer. The vote buttons
    appear only while the insights log is on.
    """
    answer = outcome.answer
    if answer is None or outcome.engine is None:
        return None
    try:
        refs = [] if answer.abstained else _ids.fitting_refs(outcome.answer_id, [PassageRef.of(m.passage).encode() for m in answer.matches])
        feedback = recorder_of(client) is not None
        asker = _ids.asker_tag(outcome.answer_id, asker_id)
        nearest = [
            (PassageRef.of(m.passage).encode(), _nearest_button_label(m, answer, outcome.engine)) for m in answer.nearest
        ]
        scope = [doc_key(d) for d in answer.documents] if answer.documents is not None else []
        return controls(
            outcome.answer_id, 0, refs, asker, feedback=feedback,
            reason_kind=answer.abstention.value if answer.abstention is not None else "", nearest=nearest, scope=scope,
        )
    except Exception:
        log.exception("could not build the answer's buttons")
        return None


def _nearest_button_label(match: Match, answer: Answer, engine: Engine) -> str:
    """"Closest: ¶7 · Meng's arrest": where it is, and what it shares with the question."""
    topic = nearest_topic(match, engine)
    return f"Closest: {nearest_label(match, answer)}" + (f" · {topic}" if topic else "")


async def _guarded(interaction: discord.Interaction, work: Any, button: str) -> None:
    """Any failure is logged by the button's name, never its custom id (which names the
    answer and its passages), and the clicker gets a short apology."""
    try:
        await work
    except Exception:
        log.exception("button %s failed", button)
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


async def _question_terms(engine: Engine, message: discord.Message | None) -> tuple[list[str], bool]:
    """The question's terms, recomputed (off the event loop) from the question the answer
    shows, with the index in service. An answer from before that shows none: the terms its
    old Why this? id carried, and whether that id had to leave some out."""
    embeds = message.embeds if message is not None else []
    question = question_on(embeds[0]) if embeds else None
    if question:
        answer = await asyncio.to_thread(engine.ask, question)
        return list(answer.terms), False
    for custom_id in _message_custom_ids(message):
        terms = _ids.why_terms(custom_id)
        if terms:
            return terms, custom_id.endswith(" " + _ids.MORE_TERMS)
    return [], False
