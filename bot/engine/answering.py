"""From a question to an Answer: read the question, rank, decide whether the story answers.

1. *Reading the question*: chat spellings become the words they stand for ("whats",
   "u"; chat_spellings.py), words about the asking ("tell me") or only about the
   answer's form ("how many") are dropped, and a word the corpus never uses is read as
   the corpus word it misspells ("Wangzhou", "huwei", "trudo"; spelling.py) or as the
   name it writes without an apostrophe ("ohiggins").
2. *Ranking*: BM25's best CANDIDATES passages, re-ranked by the embedding model when
   it is loaded (`Index.rank`, semantic/), each with its similarity to the question.
3. *Choosing*: a passage with the answer's expected form goes first if one is among the
   first FORM_CANDIDATES (a "when" question skips a passage with no time in it), unless it
   holds clearly less of the question's weight (SWITCH_COVERAGE) than the first.
4. *Deciding*: a passage's signals (signals.py) give one calibrated probability that it
   answers (decision.py); its similarity is the best of the passage's and its sentences'. The
   answer is the first of `second_chances` (2) candidates (the first, then the one of the
   next few that holds most of the question's weight) whose
   probability reaches `answers.min_probability` (an acronym the passage spells out,
   "CFO", can rank it lower), or the second when both do and it holds SWITCH_COVERAGE more
   of the question's weight; when none does, the bot abstains on the first, with the
   reason as a typed value (decision.Abstention). Two questions are
   refused before that: one sharing no word with any passage, and one of only
   everyday words ("What did they say?"), which has no subject.
5. *The answer sentence*: the sentence of the passage that scores best on the same
   signals (sentences.py).
6. *No bare miss*: an abstention keeps its NEAREST best-ranked passages (`Answer.nearest`),
   shown as "closest in the story", never as an answer; none when no passage shares a word,
   nor for a question with no subject (VAGUE), which is as close to one passage as another.

A scope (scope.py) filters the candidates in step 2: every passage any later step sees,
the nearest ones included, is inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..config import AnswersConfig
from .analysis import Token, fold
from .attribution import context_position, indexed_text
from .chat_spellings import chat_meaning
from .decision import Abstention, Confidence, Decision, confidence_of, decide
from .documents import Document
from .expectations import Expects, asks_age, expected, form_words, gives_age, supplies
from .index import Index
from .mentions import PENALTY, RERANKED, mention_share, possessive_terms
from .names import unknown_names
from .passages import Passage, sentence_spans
from .semantic.ranker import Candidate
from .sentences import answer_sentence
from .signals import GENERIC, Signals, coverage, margin, measure, numbers_missing, question_weights, term_weight
from .scope import Scope, mask
from .spelling import is_english_word, spells_acronym

__all__ = ["Abstention", "Answer", "Confidence", "GENERIC", "Match", "answer", "build_match", "term_weight"]

# Words that talk about the asking, not the subject ("tell me about the story ...").
# They are dropped from a question that has other words, and never count against coverage.
QUESTION_FILLER = frozenset("tell know explain describ pleas articl stori thing someth anyth".split())

CANDIDATES = 20  # BM25's best, re-ranked and searched for the answer's form
FORM_CANDIDATES = 5  # how far down the ranking a passage with the expected form may be
# How much more of the question's weight a second accepted candidate must hold to replace the
# first (EVALUATION.md: on SQuAD, preferring any higher coverage lost more right answers than it
# won), and how much less a passage with the expected form may hold and still go first.
SWITCH_COVERAGE = 0.2
NEAREST = 3  # passages an abstention offers as the closest in the story (not answers)

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
    abstention: Abstention | None  # None: the bot answers with matches[0]
    term_weights: dict[str, float] = field(default_factory=dict)
    signals: Signals | None = None  # of matches[0]; None when no passage matched
    probability: float = 0.0  # that matches[0] answers the question
    # (start, end) of the sentence in matches[0].passage.text that answers; None when abstaining.
    sentence: tuple[int, int] | None = None
    unknown: tuple[str, ...] = ()  # names in the question the corpus never mentions, as typed
    documents: frozenset[str] | None = None  # the scope it was answered within (None: every document)
    # An abstention's closest passages, best first (never an answer); () when answered or nothing matched.
    nearest: tuple[Match, ...] = ()

    @property
    def abstained(self) -> bool:
        return self.abstention is not None

    @property
    def best(self) -> Match | None:
        return None if self.abstained or not self.matches else self.matches[0]

    @property
    def confidence(self) -> Confidence | None:
        return None if self.abstained else confidence_of(self.probability)

    @property
    def answer_sentence(self) -> str | None:
        best = self.best
        if best is None or self.sentence is None:
            return None
        return best.passage.text[self.sentence[0] : self.sentence[1]]

    def to_json(self) -> dict[str, object]:
        """The `--json` contract: other tools rely on these keys (presentation adds `reason`)."""
        return {
            "question": self.question,
            "answered": not self.abstained,
            "coverage": round(self.coverage, 4),
            "probability": round(self.probability, 4),
            "confidence": self.confidence.value if self.confidence else None,
            "answer_sentence": self.answer_sentence,
            "abstention": self.abstention.value if self.abstention else None,
            "signals": self.signals.as_dict() if self.signals else None,
            "scope": sorted(self.documents) if self.documents is not None else None,
            "passages": [_passage_json(m) for m in (self.matches if not self.abstained else ())],
            # Not answers: what an abstention offers as the closest in the story (same keys as a passage).
            "nearest": [_passage_json(m) for m in self.nearest],
        }


def _passage_json(m: Match) -> dict[str, object]:
    """One passage in the `--json` contract, for `passages` and `nearest` alike."""
    return {
        "document": m.document.id,
        "title": m.document.title,
        "source": m.document.source,
        "paragraphs": list(m.passage.paragraphs),
        "text": m.passage.text,
        "score": m.score,
        "similarity": None if m.similarity is None else round(m.similarity, 4),
        "matched_terms": list(m.matched_terms),
        "context": [{"paragraphs": list(c.paragraphs), "text": c.text} for c in m.context],
    }


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
    matched = held_terms(index, held, passage.text, terms)
    return Match(passage, index.documents[passage.document_id], score, position, matched, context, similarity, blended)


def held_terms(index: Index, indexed: str, text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """The question terms a text holds (see build_match); also used for single sentences."""
    present = set(index.analyzer.terms(indexed))
    doc_freq = index.scorer.doc_freq
    folded: list[str] = []  # computed once, only if an unknown word might be an acronym

    def holds(term: str) -> bool:
        if term in present or _prefix_of(term, present, doc_freq):
            return True
        if term in doc_freq or len(term) > 6:
            return False
        folded[:] = folded or [fold(text)]
        return spells_acronym(term, folded[0])

    return tuple(t for t in dict.fromkeys(terms) if holds(t))


def _handle(question: str, start: int) -> bool:
    """Whether the word at `start` is a mention or handle ("@everyone", "<@123>", "<#9>")."""
    before = question[max(0, start - 3) : start]
    return before.endswith("@") or before.endswith("<#") or before.endswith("@&") or before.endswith("<:")


def read_question(index: Index, question: str, max_question_chars: int = AnswersConfig.max_question_chars) -> list[Token]:
    """The question's tokens as the bot reads them (step 1 of the module docstring)."""
    tokens: list[Token] = []
    for token in index.analyzer.tokens(question):
        if _handle(question, token.start):
            continue  # "@everyone", "<@&456>": who is addressed, not what is asked
        word = fold(question[token.start : token.end])
        meaning = chat_meaning(word)
        if meaning is not None and not question[token.end : token.end + 1] == ".":  # "u" but not "U.S."
            tokens += [Token(t, token.start, token.end) for t in index.analyzer.terms(meaning)]
        else:
            tokens.append(token)
    # Words about the asking ("tell me") or about the answer's form ("how many", "what year")
    # are dropped when the question has other words: they do not say what it is about.
    asking = QUESTION_FILLER | set(index.analyzer.terms(" ".join(form_words(question, max_question_chars))))
    if any(t.term not in asking for t in tokens):
        tokens = [t for t in tokens if t.term not in asking]
    doc_freq = index.scorer.doc_freq
    vocabulary = index.vocabulary
    for i, token in enumerate(tokens):
        if token.term in doc_freq:
            continue
        fixed = (
            vocabulary.correction(token.term)
            or vocabulary.split_name(token.term, doc_freq)
            or vocabulary.short_correction(token.term)
        )
        if fixed and not token.term.startswith(fixed) and is_english_word(fold(question[token.start : token.end])):
            continue  # an English word is no slip for another ("price" for prime), only for its own stem ("expertise")
        if fixed:
            tokens[i] = Token(fixed, token.start, token.end)
    return tokens


def as_the_corpus_spells(index: Index, question: str, tokens: Sequence[Token]) -> str:
    """The question with each word that read_question corrected written as the corpus writes it.

    The embedding model reads the question's text, not its terms: "who is brian o higins"
    is far from "Brian O’Higgins" in meaning until the misspelling is mended in the words
    it reads ("huwei" → Huawei, "ohiggins" → O’Higgins). English words stay as typed: the
    model knows "expertise" better than the corpus's "expert". Unchanged when nothing was corrected.
    """
    parts: list[str] = []
    last = 0
    for token in tokens:
        word = question[token.start : token.end]
        if token.start < last or token.term in index.analyzer.terms(word) or is_english_word(fold(word)):
            continue  # the model reads English words as they are; it needs help only with names
        surface = _surface(index, token.term)
        if surface is not None:
            parts += [question[last : token.start], surface]
            last = token.end
    return "".join(parts) + question[last:] if parts else question


def _surface(index: Index, term: str) -> str | None:
    """How the corpus writes `term`: the first word with that term in the passage BM25 ranks best for it."""
    hits = index.search([term], 1)
    if not hits:
        return None
    text = index.passages[hits[0].passage].text
    token = next((t for t in index.analyzer.tokens(text) if t.term == term), None)
    if token is None:
        return None
    start = token.start  # the whole name: "O’Higgins", whose "O’" the analyzer drops
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’"):
        start -= 1
    return text[start : token.end]


def answer(
    index: Index,
    question: str,
    top: int,
    min_probability: float,
    attribution_context: bool = True,
    min_coverage: float = 0.0,
    max_question_chars: int = AnswersConfig.max_question_chars,
    second_chances: int = 2,
    documents: Scope = None,
) -> Answer:
    """`documents` is the scope (scope.py): no passage outside it is ever a candidate."""
    # `max_question_chars`: Engine.ask has cut the question to it already; the form checks read no further.
    tokens = read_question(index, question, max_question_chars)
    terms = [t.term for t in tokens]
    doc_freq = index.scorer.doc_freq
    weights = question_weights(terms, doc_freq, index.scorer.size)
    # BM25's best, re-ordered by meaning when the semantic model is loaded (index.rank).
    within = mask(index, documents)  # the scope's passages (kept per index)
    asked = as_the_corpus_spells(index, question, tokens)  # what the embedding model reads
    hits = index.rank(asked, terms, max(top, CANDIDATES), within)
    if not hits:
        return Answer(question, tuple(terms), (), 0.0, Abstention.NO_MATCH, weights, documents=documents)

    # Inside a scope, a word only other documents use is as unknown as one no document uses:
    # "Did Finland ban Huawei?" asked of the Huawei story alone names what it never mentions.
    known = doc_freq if within is None else index.scorer.doc_freq_within(terms, within)
    hits = _about_first(index, question, tokens, weights, hits)
    built: dict[int, Match] = {}

    def match(i: int) -> Match:
        """hits[i] as a Match, built once (building reads the passage's terms)."""
        if i not in built:
            hit = hits[i]
            built[i] = build_match(index, hit.passage, terms, hit.score, attribution_context, hit.similarity, hit.blended)
        return built[i]

    if all(t in GENERIC or t in VAGUE for t in terms):
        matches = tuple(match(i) for i in range(min(max(top, NEAREST), len(hits))))
        return Answer(
            question, tuple(terms), matches[:top], 0.0, Abstention.VAGUE, weights,
            # No nearest passages: a question with no subject is near every passage and none.
            documents=documents,
        )
    form = expected(question, max_question_chars)
    # Candidates in the order they are tried: a passage with the expected form first
    # (among the best FORM_CANDIDATES), then by rank; the answer is the first the decision
    # accepts among the first `second_chances`, else the bot abstains on the first.
    order = list(range(len(hits)))
    if form is not Expects.ANYTHING:
        with_form = [i for i in order[:FORM_CANDIDATES] if supplies(index.passages[hits[i].passage].text, form)]
        # Not one that holds clearly less of the question than the first: for "when did australia
        # ban huawei" a date about something else (Meng's arrest) is no better than no date.
        if with_form and with_form[0] != 0:
            held = {i: coverage(weights, match(i).matched_terms) for i in (0, with_form[0])}
            if held[with_form[0]] + SWITCH_COVERAGE >= held[0]:
                order.remove(with_form[0])
                order.insert(0, with_form[0])
    blended = _blend(hits)
    first: tuple[int, Match, Signals, Decision, list[str]] | None = None
    accepted = None
    tried = order[:1]
    if second_chances > 1 and len(order) > 1:
        # The second chance goes to the candidate among the next few that holds most of the
        # question's weight (an acronym the passage spells out, "CFO", ranks it lower).
        rest = sorted(order[1:FORM_CANDIDATES], key=lambda i: -coverage(weights, match(i).matched_terms))
        tried += rest[: second_chances - 1]
    for i in tried:
        candidate = match(i)
        signals, names = _signals(index, question, tokens, terms, weights, candidate, form, blended, i, known)
        decision = decide(signals, min_probability)
        if decision.answered and signals.coverage < min_coverage:
            decision = Decision(decision.probability, Abstention.UNLIKELY)
        if first is None:
            first = (i, candidate, signals, decision, names)
        # The first accepted stands unless a later one holds clearly more of the question's
        # weight (SWITCH_COVERAGE more): BM25 and the model put the first ahead for a reason,
        # but "is the us gonna prohibit huawei gear" is accepted on a passage holding 14% of it.
        if decision.answered and (accepted is None or signals.coverage > accepted[2].coverage + SWITCH_COVERAGE):
            accepted = (i, candidate, signals, decision, names)
    chosen, best, signals, decision, names = accepted or first  # type: ignore[misc]
    order = [chosen] + [i for i in order if i != chosen]
    matches = (best,) + tuple(match(i) for i in order[1:top])
    sentence = None
    nearest: tuple[Match, ...] = ()
    if decision.answered:
        sentence = answer_sentence(index, best, terms, weights, asked, signals, form)
    else:
        nearest = (best,) + tuple(match(i) for i in order[1:NEAREST])
    return Answer(
        question,
        tuple(terms),
        matches,
        signals.coverage,
        decision.abstention,
        weights,
        signals,
        decision.probability,
        sentence,
        tuple(names),
        documents,
        nearest,
    )


def _signals(
    index: Index,
    question: str,
    tokens: list[Token],
    terms: list[str],
    weights: dict[str, float],
    candidate: Match,
    form: Expects,
    blended: list[float],
    i: int,
    known: Mapping[str, int] | None = None,
) -> tuple[Signals, list[str]]:
    """The decision's signals for one candidate, and the unknown names of the question.

    `known`: how many passages of the scope hold each word (the corpus's doc_freq without a scope)."""
    known = index.scorer.doc_freq if known is None else known
    names = unknown_names(question, tokens, known, index, [candidate])
    others = [s for j, s in enumerate(blended) if j != i]
    text = candidate.passage.text
    signals = measure(
        weights,
        candidate.matched_terms,
        known,
        # The best cosine of the passage or one of its sentences (precomputed: semantic/vectors.py).
        similarity=candidate.similarity,
        unknown_name=bool(names),
        form_missing=not supplies(text, form) or (asks_age(question) and not gives_age(text)),
        score_margin=margin(blended[i], max(others) if others else None),
        sentence=best_sentence_coverage(index, candidate.passage.text, terms, weights),
        number_missing=numbers_missing(question, candidate.passage.text),
    )
    return signals, names


def best_sentence_coverage(index: Index, text: str, terms: Sequence[str], weights: dict[str, float]) -> float:
    """The coverage of the passage's best single sentence."""
    spans = sentence_spans(text)
    if len(spans) <= 1:
        return coverage(weights, held_terms(index, text, text, terms))
    return max(coverage(weights, held_terms(index, text[a:b], text[a:b], terms)) for a, b in spans)


def _about_first(
    index: Index, question: str, tokens: list[Token], weights: dict[str, float], hits: list[Candidate]
) -> list[Candidate]:
    """The best few candidates re-ordered so a passage that only mentions the subject in passing goes lower (mentions.py)."""
    if len(hits) < 2:
        return hits
    asked_possessive, asked_plain = possessive_terms(index.analyzer, question, tokens)
    scores = _blend(hits)
    head = hits[:RERANKED]
    adjusted = []
    for i, hit in enumerate(head):
        share = mention_share(index.analyzer, index.passages[hit.passage].text, asked_plain - asked_possessive, weights)
        adjusted.append((-(scores[i] * (1 - PENALTY * share)), i))
    order = [i for _, i in sorted(adjusted)]
    return [head[i] for i in order] + hits[RERANKED:]


def _blend(hits: Sequence[Candidate]) -> list[float]:
    """The ranking score of each hit: the re-ranking blend, or BM25 scaled to the best without the model."""
    top = max((h.score for h in hits), default=0.0) or 1.0
    return [h.blended if h.blended is not None else h.score / top for h in hits]
