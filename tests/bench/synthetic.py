"""Deterministic synthetic corpora for the benchmarks.

A seeded Zipfian vocabulary of word-like tokens ("tavoku", "mirel"), passages of
40–80 words, documents of 100 passages with YAML front matter, and 3–6 word
questions drawn from random passages (so they match something, and often carry
the very common words that make postings long). Same seed, same corpus, so runs
on different days compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.engine.stopwords import ENGLISH_STOP_WORDS

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def vocabulary(size: int, seed: int = 1) -> list[str]:
    """`size` distinct pronounceable words (not English stop words), in a fixed order."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        syllables = rng.integers(1, 4, endpoint=True)
        word = "".join(
            _CONSONANTS[rng.integers(len(_CONSONANTS))] + _VOWELS[rng.integers(len(_VOWELS))]
            for _ in range(syllables)
        )
        if rng.random() < 0.3:
            word += _CONSONANTS[rng.integers(len(_CONSONANTS))]
        if word not in ENGLISH_STOP_WORDS:
            words[word] = None
    return list(words)


@dataclass(frozen=True)
class Synthetic:
    passages: list[str]  # paragraph texts
    queries: list[str]
    per_document: int

    def write(self, directory: Path) -> Path:
        """Write the corpus as .md documents under directory/corpus; returns that folder."""
        corpus = directory / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for d, start in enumerate(range(0, len(self.passages), self.per_document)):
            body = "\n\n".join(self.passages[start : start + self.per_document])
            text = f"---\ntitle: Synthetic document {d}\nsource: bench\n---\n\n{body}\n"
            (corpus / f"doc{d:06d}.md").write_text(text, encoding="utf-8")
        return corpus


def generate(
    passages: int,
    queries: int = 200,
    seed: int = 42,
    vocabulary_size: int = 50_000,
    zipf: float = 1.0,
    per_document: int = 100,
) -> Synthetic:
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary(vocabulary_size, seed))
    ranks = np.arange(1, vocabulary_size + 1, dtype=np.float64)
    p = ranks**-zipf
    p /= p.sum()
    lengths = rng.integers(40, 80, size=passages, endpoint=True)
    tokens = words[rng.choice(vocabulary_size, size=int(lengths.sum()), p=p)]
    texts: list[str] = []
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    for i in range(passages):
        chunk = tokens[bounds[i] : bounds[i + 1]].tolist()
        # Sentences of 8–15 words, capitalised and ended with a period, like prose.
        sentences, j = [], 0
        while j < len(chunk):
            n = 8 + (i + j) % 8
            sentence = " ".join(chunk[j : j + n])
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            j += n
        texts.append(" ".join(sentences))
    questions: list[str] = []
    for _ in range(queries):
        source = tokens[bounds[(d := rng.integers(passages))] : bounds[d + 1]]
        size = int(rng.integers(3, 6, endpoint=True))
        picked = rng.choice(source, size=size, replace=False).tolist()
        if rng.random() < 0.2:  # now and then a word the passage does not have
            picked[-1] = str(words[rng.integers(vocabulary_size)])
        questions.append(" ".join(picked).capitalize() + "?")
    return Synthetic(texts, questions, per_document)
