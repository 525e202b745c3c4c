"""From a question to an Answer: rank, decide whether the story answers, add context.

BM25 scores are not comparable between corpora or questions, so whether the story
answers is decided by rules that are (see the README):

1. *Coverage*: the share of the question's information a passage contains. Each
   question term weighs its IDF (smoothed, always positive; a word the corpus never
   uses weighs the most), and the answer must contain at least `min_coverage` of the
   total. Generic question words ("could", "many") do not count; unknown words that
   share a stem with a passage word, or that its initials spell ("CFO"), count as held.
2. *Unknown names*: a question that names something the corpus never mentions (a
   capitalised word inside the sentence, like "Nokia") is not about this corpus.
3. *Answer form*: a "when" question needs a passage with a time in it, a "how many"
   question one with a number (see expectations.py).
4. *Vagueness*: a question of only everyday words ("What did they say?") has no subject.

The answer is the best-ranked of the CANDIDATES best passages that passes 1 and 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from ..config import AnswersConfig
from .analysis import Token, fold
from .attribution import context_position, indexed_text
from .documents import Document
from .expectations import expected, form_words, supplies
from .index import Index
from .passages import Passage
from .spelling import spells_acronym

# Words that talk about the asking, not the subject ("tell me about the story ...").
# They are dropped from a question that has other words, and never count against coverage.
QUESTION_FILLER = frozenset("tell know explain describ pleas articl stori thing someth anyth".split())

CANDIDATES = 10

# Words that shape a question without saying what it is about; left out of coverage.
GENERIC = frozenset(
    "could would might may must shall ever also much mani long far often name call happen make get go use".split()
)
# Everyday words that count when they come with a subject ("What did Huawei say?") but
# are no subject on their own: "What did they say?", "What is new?" are too vague.
VAGUE = frozenset("say new good like think want need see look come give take way lot kind mean".split())


@dataclass(frozen=True)
class Match:
    passage: Passage
    document: Document
    score: float
    position: int  # index of the passage in the Index (stable until the next reload)
    matched_terms: tuple[str, ...]
    # Passages shown before this one so the quote makes sense on its own (e.g. who is speaking).
    context: tuple[Passage, ...] = ()
    # Cosine similarity of question and passage (semantic/); None when the model is not loaded.
    similarity: float | None = None
    # The re-ranking score that ordered the candidates (BM25 + similarity); None without the model.
    blended: float | None = None

    @property
    def paragraphs(self) -> tuple[int, int]:
        first = self.context[0].paragraphs[0] if self.context else self.passage.paragraphs[0]
        return (first, self.passage.paragraphs[1])


@dataclass(frozen=True)
class Answer:
    question: str
    terms: tuple[str, ...]
    matches: tuple[Match, ...]
    coverage: float
    abstained: bool
    term_weights: dict[str, float] = field(default_factory=dict)
    # Why the bot abstained (empty when it answered): shown by "Why this?" and in logs.
    reason: str = ""
    # The rule that abstained, as a word: "vague", "name", "coverage", "form", "nomatch" ("" = answered).
    reason_kind: str = ""

    @property
    def best(self) -> Match | None:
        return None if self.abstained or not self.matches else self.matches[0]

    def to_json(self) -> dict[str, object]:
        """The `--json` contract: other tools rely on these keys."""
        return {
            "question": self.question,
            "answered": not self.abstained,
            "coverage": round(self.coverage, 4),
            "reason": self.reason,  # why the bot abstained; "" when it answered
            "passages": [
                {
                    "document": m.document.id,
                    "title": m.document.title,
                    "source": m.document.source,
                    "paragraphs": list(m.passage.paragraphs),
                    "text": m.passage.text,
                    "score": m.score,
                    "matched_terms": list(m.matched_terms),
                    "context": [{"paragraphs": list(c.paragraphs), "text": c.text} for c in m.context],
                }
                for m in (self.matches if not self.abstained else ())
            ],
        }


def term_weight(doc_freq: int, size: int) -> float:
    """Smoothed IDF, positive even for terms in every passage (unlike BM25Okapi's)."""
    return math.log(1 + (size - doc_freq + 0.5) / (doc_freq + 0.5))


def _prefix_of(term: str, present: set[str], doc_freq: dict[str, int]) -> bool:
    """An unknown word counts as matched when it shares its stem with a passage word.

    Snowball leaves derivations apart ("telecom"/"telecommunications",
    "decide"/"decision"); a shared prefix of all but the last letter (at least 4)
    catches them. Only words the corpus never uses get this benefit of the doubt.
    """
    if len(term) < 5 or term in doc_freq:
        return False
    need = max(4, len(term) - 1)
    return any(len(p) >= need and p[:need] == term[:need] for p in present)


def unknown_names(
    question: str, tokens: list, doc_freq: dict[str, int], index: Index, matches: Sequence[Match] = ()
) -> list[str]:
    """Capitalised words inside the question (not its first word) that the corpus never uses.

    Skipped for questions typed without lowercase (shouting tells nothing about names),
    and short words (CFO, PM, Feb) are left to coverage: they are often abbreviations
    of words the story spells out. Misspellings of corpus words do not count.
    """
    if not any(c.islower() for c in question):
        return []
    names = []
    # Computed without slicing the question per token, which was quadratic in its length.
    lead = len(question) - len(question.lstrip(" \t\"'“‘(¿¡"))
    for token in tokens:
        word = question[token.start : token.end]
        before = token.start
        while before > 0 and question[before - 1].isspace():
            before -= 1
        at_start = token.start <= lead or before == 0 or question[before - 1] in ".?!:"
        capitalised = word[:1].isupper() and not word.isupper() and not at_start
        acronym = word.isupper() and not word.isdigit()
        if len(word) >= 4 and (capitalised or acronym):
            if token.term in doc_freq or index.vocabulary.resembles(token.term):
                continue
            if acronym and any(token.term in m.matched_terms for m in matches):
                continue  # an acronym the matching passages spell out
            names.append(word)
    return names


def context_of(index: Index, position: int, attribution_context: bool = True) -> tuple[Passage, ...]:
    """The passage shown before this one when it quotes someone it never names."""
    source = context_position(index.passages, position) if attribution_context else None
    return (index.passages[source],) if source is not None else ()


def build_match(
    index: Index,
    position: int,
    terms: Sequence[str],
    score: float,
    attribution_context: bool = True,
    similarity: float | None = None,
    blended: float | None = None,
) -> Match:
    """A passage as an answer: its context, and which question terms it holds.

    A passage holds the terms the index holds for it (its text plus the speaker named
    just before an unattributed quote), unknown words sharing a stem with them, and
    unknown short words its consecutive initials spell ("CFO": chief financial officer).
    """
    passage = index.passages[position]
    context = context_of(index, position, attribution_context)
    held = indexed_text(index.passages, position) if attribution_context else passage.text
    present = set(index.analyzer.terms(held))
    doc_freq = index.scorer.doc_freq
    folded: list[str] = []  # computed once, only if an unknown word might be an acronym

    def holds(term: str) -> bool:
        if term in present or _prefix_of(term, present, doc_freq):
            return True
        if term in doc_freq or len(term) > 6:
            return False
        folded[:] = folded or [fold(passage.text)]
        return spells_acronym(term, folded[0])

    matched = tuple(t for t in dict.fromkeys(terms) if holds(t))
    return Match(passage, index.documents[passage.document_id], score, position, matched, context, similarity, blended)


def answer(
    index: Index,
    question: str,
    top: int,
    min_coverage: float,
    attribution_context: bool = True,
    max_question_chars: int = AnswersConfig.max_question_chars,
) -> Answer:
    # `max_question_chars`: Engine.ask has cut the question to it already; the form checks read no further.
    tokens = index.analyzer.tokens(question)
    # Words about the asking ("tell me") or about the answer's form ("how many", "what year")
    # are dropped when the question has other words: they do not say what it is about.
    asking = QUESTION_FILLER | set(index.analyzer.terms(" ".join(form_words(question, max_question_chars))))
    if any(t.term not in asking for t in tokens):
        tokens = [t for t in tokens if t.term not in asking]
    # A misspelt word is read as the corpus word it resembles ("Wangzhou" → wanzhou).
    doc_freq = index.scorer.doc_freq
    for i, token in enumerate(tokens):
        if token.term not in doc_freq and (fixed := index.vocabulary.correction(token.term)):
            tokens[i] = Token(fixed, token.start, token.end)
    terms = [t.term for t in tokens]
    # Candidates for the checks below; more than are shown, so a passage that covers the
    # question but ranks lower (an acronym, a derived word) can still be found.
    # BM25's best, re-ordered by meaning when the semantic model is loaded (index.rank).
    hits = index.rank(question, terms, max(top, CANDIDATES))
    size = index.scorer.size
    weights = {t: term_weight(doc_freq.get(t, 0), size) for t in dict.fromkeys(terms) if t not in GENERIC}
    matches = [
        build_match(index, hit.passage, terms, hit.score, attribution_context, hit.similarity, hit.blended)
        for hit in hits[:top]
    ]
    total = sum(weights.values())

    def coverage_of(match: Match) -> float:
        if total <= 0:
            return 1.0  # only generic words, and the passage matched some of them
        return sum(weights.get(t, 0.0) for t in match.matched_terms) / total

    if not matches:
        reason = "no passage contains any of the question's words"
        return Answer(question, tuple(terms), (), 0.0, True, weights, reason, "nomatch")
    if all(t in GENERIC or t in VAGUE for t in terms):
        reason = "the question does not say what it is about (only everyday words)"
        return Answer(question, tuple(terms), tuple(matches[:top]), 0.0, True, weights, reason, "vague")
    if names := unknown_names(question, tokens, doc_freq, index, matches):
        reason = f"the corpus never mentions {', '.join(names)}"
        return Answer(question, tuple(terms), tuple(matches[:top]), coverage_of(matches[0]), True, weights, reason, "name")
    # The answer is the best-ranked passage that covers the question and has the expected
    # form (a "when" question skips a passage with no time in it for one that has one).
    form = expected(question, max_question_chars)
    for i, hit in enumerate(hits):
        if i == len(matches):  # beyond the shown matches: built only when needed
            matches.append(
                build_match(index, hit.passage, terms, hit.score, attribution_context, hit.similarity, hit.blended)
            )
        match = matches[i]
        coverage = coverage_of(match)
        if coverage >= min_coverage and supplies(match.passage.text, form):
            ordered = (match, *matches[:i], *matches[i + 1 :])[:top]
            return Answer(question, tuple(terms), ordered, coverage, False, weights)
    matches = matches[:top]
    coverage = coverage_of(matches[0])
    if coverage < min_coverage:
        kind, reason = "coverage", f"the best passage covers {coverage:.0%} of the question (needs {min_coverage:.0%})"
    else:
        kind, reason = "form", f"the question asks for a {form.value} and no matching passage has one"
    return Answer(question, tuple(terms), tuple(matches), coverage, True, weights, reason, kind)
