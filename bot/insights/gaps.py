"""What the story is missing: the declined questions and the "not helpful" answers, grouped by the terms they share.

The terms come from the caller (the bot analyses each question with the engine's one
analysis and hands the record its subject terms: this package knows neither the engine
nor Discord). They are kept only for a question the bot declined and for an answer
someone marked not helpful, with the log's retention; an answer whose "not helpful"
votes all become "helpful" loses them.

Grouping is greedy and explainable: among the gaps not yet grouped, take the term the
most of them share, a term counting for more the rarer it is in the story (its score is
the sum of its weights, the smoothed IDF "Why this?" shows: highest for a word the story
never uses, lowest for one the whole story is about), so twelve questions that mention
"Huawei" on a Huawei story do not hide three about "Nokia". That term's gaps form a
group; repeat. A group is shown with the terms most of its questions share besides
("nokia + contract"), written as members wrote them, largest group first.

Privacy: terms are question text. Without `insights.log_question_text` a group (and
each extra term in it) is shown only when at least two different people (salted
hashes) asked it, and never with an example; with it, each group shows its latest
question as an example, which is erased with the rest of the question text.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Sequence

if TYPE_CHECKING:
    from .records import FeedbackRecord

MAX_GAPS = 20_000  # the latest gaps grouped by /stats: bounds its time on a busy bot's log (BENCHMARKS.md)
MAX_TERMS = 32  # per question: far more than a 500-character question has subject words
MAX_TERM_CHARS = 64


class GapTerm(NamedTuple):
    term: str  # the analysed term (a stem): what groups questions
    word: str  # the word as the member wrote it (folded): what the operator reads
    weight: float  # the term's weight in the story when asked


def gap_terms(terms: Iterable[Any]) -> tuple[GapTerm, ...]:
    """Checked (term, word, weight) triples, each term once.

    A ValueError names the bad one by position, never by its text: terms are question text,
    and the message may reach a log.
    """
    out: dict[str, GapTerm] = {}
    for number, item in enumerate(terms, 1):
        try:
            term, word, weight = item
        except (TypeError, ValueError):
            raise ValueError(f"gap term {number} is not a (term, word, weight) triple") from None
        if not isinstance(term, str) or not isinstance(word, str) or not term or not word:
            raise ValueError(f"gap term {number}: term and word must be non-empty strings")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"gap term {number}: the weight must be a number >= 0")
        out.setdefault(term[:MAX_TERM_CHARS], GapTerm(term[:MAX_TERM_CHARS], word[:MAX_TERM_CHARS], float(weight)))
    return tuple(out.values())[:MAX_TERMS]


# -- writing: called by the store inside its write transaction ------------------------------
# `run(sql, params)` runs one statement in that transaction: plain SQL with `?` placeholders
# (the store's own runner, which a PostgreSQL backend translates), returning a cursor.

Run = Callable[[str, Sequence[Any]], Any]


def note(run: Run, answer_id: str, terms: Iterable[GapTerm], noted_at: float) -> None:
    """Keep a gap's terms (a declined question, or an answer just marked not helpful)."""
    for t in terms:  # a few per question
        run(
            "INSERT INTO gap_terms (answer_id, term, word, weight, noted_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (answer_id, term) DO NOTHING",
            (answer_id, t.term, t.word, t.weight, noted_at),
        )


def on_feedback(run: Run, record: "FeedbackRecord", given_at: float) -> None:
    """A "not helpful" vote keeps the answer's terms; when no such vote is left on an
    answered question, its terms go (a declined question keeps them whatever the votes)."""
    if not record.helpful:
        note(run, record.answer_id, record.terms, given_at)
        return
    run(
        "DELETE FROM gap_terms WHERE answer_id = ?"
        " AND answer_id NOT IN (SELECT answer_id FROM feedback WHERE answer_id = ? AND helpful = 0)"
        " AND answer_id NOT IN (SELECT answer_id FROM questions WHERE answer_id = ? AND answered = 0)",
        (record.answer_id, record.answer_id, record.answer_id),
    )


def purge(run: Run, cutoff: float) -> int:
    """The log's retention: terms noted before the cutoff, or whose question is gone."""
    deleted = run("DELETE FROM gap_terms WHERE noted_at < ?", (cutoff,)).rowcount
    deleted += run("DELETE FROM gap_terms WHERE answer_id NOT IN (SELECT answer_id FROM questions)", ()).rowcount
    return max(deleted, 0)


class RecentTerms:
    """The terms of recent answered questions, in memory only, until someone votes.

    An answered question's terms are not stored (most answers are fine); the recorder
    remembers the latest ones here so that a "not helpful" vote can hand them to the
    store. Bounded; lost on restart (a vote on an older answer counts without terms).
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._terms: OrderedDict[str, tuple[GapTerm, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, answer_id: str, terms: tuple[GapTerm, ...]) -> None:
        if not terms:
            return
        with self._lock:
            self._terms[answer_id] = terms
            self._terms.move_to_end(answer_id)
            while len(self._terms) > self._size:
                self._terms.popitem(last=False)

    def get(self, answer_id: str) -> tuple[GapTerm, ...]:
        with self._lock:
            return self._terms.get(answer_id, ())


# -- reading and grouping -------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """One group: questions that share `terms[0]` (and mostly the others)."""

    terms: tuple[str, ...]  # analysed terms: the group's term first, then the ones most of it shares
    words: tuple[str, ...]  # the same terms as members wrote them
    questions: int  # declined questions + answers marked not helpful
    declined: int
    not_helpful: int
    people: int  # different (hashed) askers
    example: str | None = None  # the latest question's text, only when question text is kept

    @property
    def label(self) -> str:
        return " + ".join(self.words)


@dataclass(frozen=True)
class Gaps:
    groups: tuple[Gap, ...] = ()
    declined: int = 0  # every declined question kept
    not_helpful: int = 0  # every answered question with a "not helpful" vote
    examples: bool = False  # whether groups carry an example (question text is kept)

    @property
    def questions(self) -> int:
        return self.declined + self.not_helpful

    @property
    def not_shown(self) -> int:
        """Gaps in no group shown: no shared term, fewer than two people, no terms kept, or beyond the top groups."""
        return max(self.questions - sum(g.questions for g in self.groups), 0)


@dataclass
class _Entry:
    answer_id: str
    asker: str | None
    declined: bool
    asked_at: float
    question: str | None
    terms: dict[str, GapTerm] = field(default_factory=dict)


def _people(entries: Iterable[_Entry]) -> int:
    return len({e.asker for e in entries if e.asker is not None})


def _common_word(entries: list[_Entry], term: str) -> str:
    counts = Counter(e.terms[term].word for e in entries if term in e.terms)
    return min(counts, key=lambda w: (-counts[w], w))


def group(entries: list[_Entry], *, min_people: int, examples: bool, limit: int) -> tuple[Gap, ...]:
    """Greedy grouping (see the module docstring); `min_people` 2 when question text is not kept.

    A term's score is the sum of its weights over the gaps not yet grouped that hold it
    (how many share it, times how telling it is); counts are kept up to date as gaps are
    grouped, so the cost is one pass over the terms plus one pass over the vocabulary per group.
    """
    sharing: dict[str, list[_Entry]] = {}
    score: dict[str, float] = {}
    askers: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for entry in entries:
        for term, gap_term in entry.terms.items():
            sharing.setdefault(term, []).append(entry)
            score[term] = score.get(term, 0.0) + gap_term.weight
            if entry.asker is not None:
                askers[term][entry.asker] += 1
    left = {id(e) for e in entries}
    remaining = {term: len(members) for term, members in sharing.items()}
    found: list[tuple[float, Gap]] = []
    while len(found) < limit:
        best: tuple[float, int, str] | None = None
        for term, count in remaining.items():
            if count == 0 or (min_people > 1 and len(askers.get(term, ())) < min_people):
                continue
            # Largest weighted share first; then more questions; then the term, for a stable order.
            key = (-round(score[term], 6), -count, term)  # rounded: sums and differences of floats
            if best is None or key < best:
                best = key
        if best is None:
            break
        term = best[2]
        members = [e for e in sharing[term] if id(e) in left]
        for entry in members:
            left.discard(id(entry))
            for other, gap_term in entry.terms.items():
                remaining[other] -= 1
                score[other] -= gap_term.weight
                if entry.asker is not None:
                    counter = askers[other]
                    counter[entry.asker] -= 1
                    if counter[entry.asker] == 0:
                        del counter[entry.asker]
        found.append((-best[0], _gap(term, members, min_people, examples)))
    found.sort(key=lambda item: (-item[1].questions, -item[0], item[1].terms[0]))
    return tuple(gap for _, gap in found)


def _gap(term: str, members: list[_Entry], min_people: int, examples: bool) -> Gap:
    # The other terms at least half the group (and at least two questions) share: "nokia + contract".
    counts = Counter(t for e in members for t in e.terms if t != term)
    need = max(2, math.ceil(len(members) / 2))
    extra = [
        t
        for t, n in counts.items()
        if n >= need and (min_people <= 1 or _people(e for e in members if t in e.terms) >= min_people)
    ]
    weight = {t: max(e.terms[t].weight for e in members if t in e.terms) for t in extra}
    extra.sort(key=lambda t: (-counts[t], -weight[t], t))
    terms = (term, *extra[:2])
    example = None
    if examples:
        texts = [e for e in members if e.question]
        if texts:
            example = max(texts, key=lambda e: (e.asked_at, e.answer_id)).question
    declined = sum(1 for e in members if e.declined)
    return Gap(
        terms=terms,
        words=tuple(_common_word(members, t) for t in terms),
        questions=len(members),
        declined=declined,
        not_helpful=len(members) - declined,
        people=_people(members),
        example=example,
    )


def compute_gaps(
    query: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]],
    floor: float,
    examples: bool,
    limit: int = 10,
    latest: int = MAX_GAPS,
) -> Gaps:
    """The `latest` gaps kept since `floor` (unix time), grouped.

    `query` reads rows (the store's, or one snapshot's); `examples`: question text is kept,
    so groups carry one and need not have two people.
    """
    rows = query(
        "SELECT g.answer_id, g.term, g.word, g.weight, q.user_hash, q.answered, q.asked_at, q.question"
        " FROM gap_terms g JOIN questions q ON q.answer_id = g.answer_id"
        " WHERE g.noted_at >= ? AND q.asked_at >= ? AND g.answer_id IN ("
        "   SELECT k.answer_id FROM questions k WHERE k.asked_at >= ?"
        "   AND k.answer_id IN (SELECT answer_id FROM gap_terms WHERE noted_at >= ?)"
        "   ORDER BY k.asked_at DESC, k.answer_id DESC LIMIT ?)"
        " ORDER BY g.answer_id, g.term",
        (floor, floor, floor, floor, latest),
    )
    entries: dict[str, _Entry] = {}
    for answer_id, term, word, weight, asker, answered, asked_at, question in rows:
        entry = entries.get(answer_id)
        if entry is None:
            entry = entries[answer_id] = _Entry(
                answer_id, asker, not answered, asked_at, question if examples else None
            )
        entry.terms[term] = GapTerm(term, word, weight)
    declined = query("SELECT count(*) FROM questions WHERE answered = 0 AND asked_at >= ?", (floor,))[0][0]
    not_helpful = query(
        "SELECT count(DISTINCT f.answer_id) FROM feedback f JOIN questions q ON q.answer_id = f.answer_id"
        " WHERE f.helpful = 0 AND q.answered = 1 AND f.given_at >= ? AND q.asked_at >= ?",
        (floor, floor),
    )[0][0]
    groups = group(list(entries.values()), min_people=1 if examples else 2, examples=examples, limit=limit)
    return Gaps(groups, declined, not_helpful, examples)
