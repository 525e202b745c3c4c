"""Autocomplete for questions: names and key phrases the corpus actually contains.

Suggesting only what the story mentions steers people toward questions it can
answer. Two kinds of phrase are extracted once per index:

- names: runs of capitalised words ("Meng Wanzhou", "Prime Minister Justin Trudeau",
  "University of Ottawa"), minus sentence-initial ordinary words ("Trade experts" →
  nothing, "The" → nothing); a run of three or more words also yields its last two
  ("Justin Trudeau"), which is how people type a name;
- key phrases: two- or three-word runs of content words that recur ("trade deal",
  "national security").

The operator's example questions come first when they fit what was typed. A
suggestion completes what the user is typing: "When was me" → "When was Meng
Wanzhou", so choosing it keeps the start of the question.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from .analysis import fold
from .documents import Document
from .passages import sentence_spans
from .stopwords import ENGLISH_STOP_WORDS

# How many suggestions, and how long, is the caller's to say (the Discord layer passes
# Discord's autocomplete limits): this module knows nothing of where they are shown.
MAX_PHRASES = 5000  # keep the most frequent; suggest() scans them per keystroke
# An archive's names and phrases are read from an even sample of its paragraphs, so
# building suggestions stays around a second however large the corpus (about 1 ms
# per paragraph; a 100,000-paragraph archive read in full would take minutes).
MAX_PARAGRAPHS = 3000

_OPENERS = "\"“‘'(["
_CLOSERS = "\"”’')]"
_BREAK_AFTER = ",;:!?)]\"”’—–"
_CONNECTORS = frozenset({"of", "de", "van", "von", "der", "da", "du", "la", "le", "bin", "al"})
_STARTERS = ENGLISH_STOP_WORDS | frozenset(
    "also even however meanwhile still yet last next many several according since mr mrs ms dr".split()
)
_MONTHS_DAYS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
_ALNUM = re.compile(r"[^\W_]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in the corpus (its most frequent spelling)
    count: int
    kind: str  # "example" | "name" | "phrase"

    @property
    def key(self) -> str:
        return _key(self.text)


def _key(text: str) -> str:
    return _SPACE.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class _Token:
    word: str
    capital: bool
    initial: bool  # first word of its sentence
    break_before: bool
    break_after: bool
    content: bool = False  # a lowercase word worth suggesting as part of a key phrase


def _tokens(sentence: str) -> list[_Token]:
    tokens: list[_Token] = []
    for i, raw in enumerate(sentence.split()):
        opened = raw[0] in _OPENERS
        word = raw.lstrip(_OPENERS)
        closed = bool(word) and word[-1] in _BREAK_AFTER
        word = word.rstrip(_BREAK_AFTER + _CLOSERS)
        possessive = word.endswith(("'s", "’s"))
        if possessive:
            word = word[:-2]
        if word.endswith(".") and word.count(".") == 1:  # a sentence-final or abbreviation period
            word, closed = word[:-1], True
        if not _ALNUM.search(word):
            tokens.append(_Token("", False, i == 0, True, True))
            continue
        initial = i == 0 or (i == 1 and not tokens[0].word)
        tokens.append(_Token(word, word[0].isupper(), initial, opened, closed or possessive, _content(word)))
    return tokens


def _names(tokens: list[_Token], lowercase_words: set[str]) -> Iterable[tuple[str, bool, bool]]:
    """(name, stands alone, starts its sentence) for each run of capitalised words in a sentence."""
    run: list[_Token] = []

    def finish() -> Iterable[tuple[str, bool, bool]]:
        words = list(run)
        run.clear()
        while words and words[-1].word.lower() in _CONNECTORS:
            words.pop()
        while words and words[0].initial and (
            words[0].word.lower() in _STARTERS or words[0].word.lower() in lowercase_words
        ):
            words.pop(0)
        if not words:
            return
        if len(words) == 1:
            w = words[0]
            low = w.word.lower()
            # "U.K.-based" is an adjective, not a name.
            if low not in _MONTHS_DAYS and low not in _STARTERS and not re.search(r"-[a-z]", w.word):
                yield w.word, True, w.initial
            return
        yield " ".join(w.word for w in words), False, words[0].initial
        if len(words) >= 3 and not any(w.word.lower() in _CONNECTORS for w in words[-2:]):
            yield " ".join(w.word for w in words[-2:]), False, False

    for token in tokens:
        if token.break_before:
            yield from finish()
        if token.capital or (run and token.word.lower() in _CONNECTORS):
            run.append(token)
        else:
            yield from finish()
        if token.break_after or not token.word:
            yield from finish()
    yield from finish()


def _content_runs(tokens: list[_Token]) -> Iterable[list[str]]:
    """Maximal runs of content words with no punctuation between them."""
    run: list[str] = []
    for token in tokens:
        if not token.content or token.break_before:
            if len(run) > 1:
                yield run
            run = []
        if token.content:
            run.append(token.word)
        if token.break_after:
            if len(run) > 1:
                yield run
            run = []
    if len(run) > 1:
        yield run


def _content(word: str) -> bool:
    return (
        len(word) >= 3
        and not word[0].isupper()
        and word.lower() not in ENGLISH_STOP_WORDS
        and not word.replace(".", "").replace(",", "").isdigit()
    )


def extract_phrases(documents: Sequence[Document], max_chars: int, limit: int = MAX_PHRASES) -> list[Phrase]:
    """Names and recurring key phrases of the corpus (each at most `max_chars` long), most frequent first."""
    sentences: list[list[_Token]] = []
    lowercase_words: set[str] = set()
    paragraphs = [p for document in documents for p in document.paragraphs]
    if len(paragraphs) > MAX_PARAGRAPHS:
        step = len(paragraphs) / MAX_PARAGRAPHS
        paragraphs = [paragraphs[int(i * step)] for i in range(MAX_PARAGRAPHS)]
    for paragraph in paragraphs:
        for start, end in sentence_spans(paragraph):
            tokens = _tokens(paragraph[start:end])
            sentences.append(tokens)
            lowercase_words.update(t.word for t in tokens if t.word and t.word[0].islower())

    # Counted by exact spelling first (cheap), merged by folded key below.
    names_by_text: Counter[str] = Counter()
    singles_by_text: Counter[str] = Counter()
    mid_sentence_text: set[str] = set()
    phrases_by_text: Counter[str] = Counter()
    for tokens in sentences:
        for name, alone, initial in _names(tokens, lowercase_words):
            (singles_by_text if alone else names_by_text)[name] += 1
            if not initial:
                mid_sentence_text.add(name)
        for segment in _content_runs(tokens):
            for n in (2, 3):
                for i in range(len(segment) - n + 1):
                    phrases_by_text[" ".join(segment[i : i + n])] += 1

    spelling: dict[str, Counter[str]] = {}

    def merge(by_text: Counter[str]) -> Counter[str]:
        merged: Counter[str] = Counter()
        for text, count in by_text.items():
            key = _key(text)
            merged[key] += count
            spelling.setdefault(key, Counter())[text] += count
        return merged

    names, singles, phrases = merge(names_by_text), merge(singles_by_text), merge(phrases_by_text)
    mid_sentence = {_key(t) for t in mid_sentence_text}
    lowercase_keys = {_key(w) for w in lowercase_words}

    found: list[Phrase] = []
    for key, count in names.items():
        found.append(Phrase(spelling[key].most_common(1)[0][0], count, "name"))
    for key, count in singles.items():
        # Capitalised only at the start of a sentence, once: probably an ordinary word ("Digital").
        # Twice at sentence starts and never lowercase elsewhere ("Beijing said ...") is a name too.
        if key in mid_sentence or key in names or (count >= 2 and key not in lowercase_keys):
            found.append(Phrase(spelling[key].most_common(1)[0][0], count, "name"))
    for key, count in phrases.items():
        if count >= 2:
            found.append(Phrase(spelling[key].most_common(1)[0][0], count, "phrase"))
    # Names before phrases at equal counts: they are what people ask about.
    found.sort(key=lambda p: (-p.count, p.kind != "name", len(p.text), p.text))
    seen: set[str] = set()
    unique = []
    for p in found:
        if p.key not in seen and len(p.text) <= max_chars:
            seen.add(p.key)
            unique.append(p)
    return unique[:limit]


class Suggester:
    """Ranks phrases and example questions against what has been typed so far."""

    def __init__(self, phrases: Sequence[Phrase], examples: Sequence[str], max_chars: int) -> None:
        self.phrases = list(phrases)
        self.examples = [e.strip() for e in examples if e.strip() and len(e.strip()) <= max_chars]
        self._keys = [(p, p.key, p.key.split()) for p in self.phrases]

    @classmethod
    def from_documents(cls, documents: Sequence[Document], examples: Sequence[str], max_chars: int) -> "Suggester":
        return cls(extract_phrases(documents, max_chars), examples, max_chars)

    def suggest(self, typed: str, limit: int, max_chars: int) -> list[str]:
        """Up to `limit` completions of `typed`, best first, each at most `max_chars` long."""
        typed = typed.lstrip()
        folded = fold(typed)
        words = folded.split()
        ranked: list[tuple[tuple[int, int, int], str]] = []

        if not words:
            for i, example in enumerate(self.examples):
                ranked.append(((0, i, 0), example))
            for i, p in enumerate(self.phrases[: limit * 2]):
                ranked.append(((1 if p.kind == "name" else 2, i, 0), p.text))
            return _best(ranked, limit, max_chars)

        typed_key = _key(typed)
        for i, example in enumerate(self.examples):
            key = _key(example)
            if key.startswith(typed_key) and key != typed_key:
                ranked.append(((0, i, 0), example))
            elif _word_prefixes(words, key.split()):
                ranked.append(((3, i, 0), example))

        # Where each typed word starts in the original text, to keep the user's own spelling of the head.
        starts = [m.start() for m in re.finditer(r"\S+", typed)]
        finished = typed[-1:].isspace()
        for order, (p, key, pwords) in enumerate(self._keys):
            best: tuple[int, int, int] | None = None
            completion = ""
            for k in range(min(3, len(words)), 0, -1):
                tail = " ".join(words[-k:])
                if key.startswith(tail) and key != tail and (not finished or key.startswith(tail + " ")):
                    best = (1 if k > 1 else 2, -p.count, order)
                    completion = typed[: starts[-k]] + p.text
                    break
            if best is None and not finished and len(words[-1]) >= 2:
                if any(w.startswith(words[-1]) for w in pwords[1:]):
                    best = (4, -p.count, order)
                    completion = typed[: starts[-1]] + p.text
            if best is not None:
                ranked.append((best, completion))
        return _best(ranked, limit, max_chars)


def _word_prefixes(typed: list[str], words: list[str]) -> bool:
    """Every typed word begins some word of the text (the last may be half-typed)."""
    return all(any(w.startswith(t) for w in words) for t in typed)


def _best(ranked: list[tuple[tuple[int, int, int], str]], limit: int, max_chars: int) -> list[str]:
    ranked.sort(key=lambda item: item[0])
    out: list[str] = []
    seen: set[str] = set()
    for _, text in ranked:
        text = _SPACE.sub(" ", text).strip()
        key = text.casefold()
        if not text or len(text) > max_chars or key in seen:
            continue
        seen.add(key)
        out.append(text)
        if len(out) == limit:
            break
    return out


_LOCK = threading.Lock()


def suggester_for(engine: "object", examples: Sequence[str], max_chars: int) -> Suggester:
    """The Suggester of an Engine, built once per index (a reload builds a new one), with
    `examples` first and nothing longer than `max_chars`.

    Kept in the index's `derived` store, so it is freed together with the index.
    """
    index = engine.index  # type: ignore[attr-defined]
    found = cached_suggester(engine)
    if found is not None:
        return found
    suggester = Suggester.from_documents(index.corpus.documents, examples, max_chars)
    with _LOCK:
        index.derived["suggester"] = suggester
    return suggester


def cached_suggester(engine: "object") -> Suggester | None:
    """The Suggester if it is already built for this engine's index (never builds)."""
    with _LOCK:
        found = engine.index.derived.get("suggester")  # type: ignore[attr-defined]
    return found if isinstance(found, Suggester) else None
