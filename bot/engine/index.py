"""The index: every passage of the corpus, analysed once and scored by BM25.

With the semantic model loaded (semantic/), it also holds the passages' sentence
vectors, and `rank` re-orders BM25's best candidates by meaning.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator

import numpy as np

from ..config import Config
from .analysis import Analyzer
from .attribution import indexed_text
from .documents import Corpus, Document, load_corpus
from .passages import Passage, split_document
from .spelling import Vocabulary
from . import cache
from .scoring import Hit, PostingsBuilder, PostingsScorer, Scorer, make_scorer
from .semantic.model import DIMENSIONS, shared_embedder
from .semantic.ranker import Candidate, SemanticRanker, bm25_only
from .semantic import vectors as semantic_vectors
from .semantic.vectors import PassageVectors

SMALL = 2000  # up to this many passages, rank-bm25 itself scores (it is the reference)
PROGRESS_EVERY = 1000  # passages between progress reports (and thread yields) while indexing

Progress = Callable[[int, int], None]  # (passages analysed, total)


@dataclass
class Index:
    corpus: Corpus
    passages: list[Passage]
    analyzer: Analyzer
    scorer: Scorer
    built_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    build_seconds: float = 0.0
    from_cache: bool = False  # postings loaded from the index cache instead of analysed
    # Sentence vectors and the blend; None when semantic.enabled is false or the model did not load.
    semantic: SemanticRanker | None = None
    # Things derived from this index and built on demand by other parts (autocomplete
    # suggestions, button references). Kept here so they are freed with the index.
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.documents: dict[str, Document] = {d.id: d for d in self.corpus.documents}
        # Position of each passage, to find its neighbours for context.
        self.position: dict[tuple[str, int, int], int] = {
            (p.document_id, p.paragraphs[0], p.part): i for i, p in enumerate(self.passages)
        }

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        """Built on first use: only questions naming unknown things need it."""
        return Vocabulary(self.scorer.doc_freq)

    @property
    def vocabulary_size(self) -> int:
        return len(self.scorer.doc_freq)

    def embed_all(self) -> None:
        """Embed every passage that still lacks a vector, now (the state a running bot reaches).

        Measurements call it: while a background fill is still running, a question may be
        ranked by BM25 alone (semantic/ranker.py), which is not what the bot does once warm.
        """
        if self.semantic is not None:
            self.semantic.vectors.fill_now()

    def search(self, terms: list[str], k: int, within: np.ndarray | None = None) -> list[Hit]:
        """BM25 alone: the k best passages for these (analysed) terms (`within`: a mask, scope.py)."""
        return self.scorer.top(terms, k, within)

    def rank(self, question: str, terms: list[str], k: int, within: np.ndarray | None = None) -> list[Candidate]:
        """The k best passages: BM25's best `semantic.candidates` re-ordered by the blend, then BM25's next.

        BM25 decides which passages are candidates (a passage sharing no word with the
        question is never one); the sentence vectors decide the order among the first
        `semantic.candidates`. Passages after those (when k is larger) follow in BM25's
        order, with their similarity but no blended score. Without the model: BM25's k
        best in BM25's order, with no similarity. `within` (scope.py) keeps every passage
        outside it from being a candidate at all.
        """
        if self.semantic is None:
            return bm25_only(self.search(terms, k, within))
        return self.semantic.rank(question, self.search(terms, max(k, self.semantic.candidates), within))[:k]

    def previous(self, i: int) -> int | None:
        """The passage just before i in the same document, if any."""
        if i > 0 and self.passages[i - 1].document_id == self.passages[i].document_id:
            return i - 1
        return None

    def next(self, i: int) -> int | None:
        if i + 1 < len(self.passages) and self.passages[i + 1].document_id == self.passages[i].document_id:
            return i + 1
        return None


def build_index(config: Config, progress: Progress | None = None, use_cache: bool = True) -> Index:
    """Load the corpus and index it; raises CorpusError for a corpus that cannot be served.

    Corpora above SMALL passages are scored by postings, which are cached in
    `config.cache_dir` (see cache.py) so the next start-up skips the analysis.
    """
    with _collector_paused() as pause:
        index = _build(config, progress, use_cache)
        pause.freeze = len(index.passages) > SMALL
        return index


class _Pause:
    freeze = False


_GC_LOCK = threading.Lock()
_GC_STATE = {"builds": 0, "was_enabled": False, "freeze": False}


@contextmanager
def _collector_paused() -> Iterator[_Pause]:
    """No cyclic garbage collection while an index is built; a large one is then frozen.

    A full collection scans every object in the process with the GIL held: 60 ms with
    one index of 100,000 passages, 120 ms while a reload holds two, and building
    triggers several. The bot's event loop would stall for each. So collection waits
    until the build is done, and after a large build everything alive is moved out of
    the collector's sight (gc.freeze), so later collections scan only young objects.
    The index holds no reference cycles, so a replaced index is still freed (by
    reference counting); cyclic garbage that exists at the moment of freezing is
    kept, a small price paid once per (re)load.
    """
    pause = _Pause()
    with _GC_LOCK:
        if _GC_STATE["builds"] == 0:
            _GC_STATE["was_enabled"] = gc.isenabled()
            _GC_STATE["freeze"] = False
            gc.disable()
        _GC_STATE["builds"] += 1
    try:
        yield pause
    finally:
        with _GC_LOCK:
            _GC_STATE["freeze"] = _GC_STATE["freeze"] or pause.freeze
            _GC_STATE["builds"] -= 1
            if _GC_STATE["builds"] == 0:
                if _GC_STATE["freeze"]:
                    gc.freeze()
                if _GC_STATE["was_enabled"]:
                    gc.enable()


def _build(config: Config, progress: Progress | None, use_cache: bool) -> Index:
    started = time.perf_counter()
    corpus = load_corpus(
        config.corpus.path,
        extensions=tuple(e.lower() for e in config.corpus.extensions),
        on_error=config.corpus.on_error,
        max_bytes=int(config.corpus.max_file_mb * 1_000_000),
    )
    analyzer = Analyzer(
        stop_words=config.analysis.stop_words,
        stemming=config.analysis.stemming,
        language=config.analysis.language,
    )
    passages = [p for d in corpus.documents for p in split_document(d, config.passages.max_chars)]
    total = len(passages)
    if total <= SMALL:
        terms_of = _passage_terms(config, analyzer, corpus, passages)
        analysed = [terms_of(i) for i in range(total)]
        if progress is not None:
            progress(total, total)
        scorer: Scorer = make_scorer(analysed, config.ranking, small=SMALL)
        semantic, fill = _semantic(config, corpus, passages, use_cache)
        return _with_fill(
            Index(corpus, passages, analyzer, scorer, build_seconds=time.perf_counter() - started, semantic=semantic),
            fill,
        )

    key = cache.cache_key(corpus.content_hash, analyzer.settings, config.passages)
    postings = cache.load(config.cache_dir, key, total) if use_cache else None
    from_cache = postings is not None
    if postings is None:
        words_of = _passage_words(config, analyzer, corpus, passages)
        builder = PostingsBuilder()
        for i in range(total):
            builder.add_words(words_of(i), analyzer.word_terms_unmemoised)
            if i % PROGRESS_EVERY == 0:
                if progress is not None:
                    progress(i, total)
                # Let other threads (the bot's event loop during a reload) run between chunks.
                time.sleep(0)
        postings = builder.arrays()
        if use_cache:
            cache.save(config.cache_dir, key, postings)
        if progress is not None:
            progress(total, total)
    scorer = PostingsScorer.from_arrays(postings, config.ranking)
    semantic, fill = _semantic(config, corpus, passages, use_cache)
    built = Index(
        corpus,
        passages,
        analyzer,
        scorer,
        build_seconds=time.perf_counter() - started,
        from_cache=from_cache,
        semantic=semantic,
    )
    return _with_fill(built, fill)


_Fill = Callable[[], threading.Event] | None


def _semantic(config: Config, corpus: Corpus, passages: list[Passage], use_cache: bool) -> tuple[SemanticRanker | None, _Fill]:
    """The passages' vectors (cached, computed now, or left to a background fill) and the blend.

    See semantic/vectors.py for the policy: a small corpus is embedded now, a large
    one in the background after start-up, and a question embeds its own candidates.
    """
    if not config.semantic.enabled:
        return None, None
    embedder = shared_embedder(config.semantic.model)
    if embedder is None:
        return None, None
    key = cache.vectors_key(corpus.content_hash, config.passages, embedder.identity)
    cached = cache.load_vectors(config.cache_dir, key, len(passages), DIMENSIONS) if use_cache else None
    vectors = PassageVectors(embedder, [p.text for p in passages], *(cached or ()))

    def save(offsets: np.ndarray, v: np.ndarray, done: np.ndarray) -> object:
        return cache.save_vectors(config.cache_dir, key, offsets, v, done) if use_cache else None

    fill: _Fill = None
    if 0 < vectors.missing <= semantic_vectors.EAGER:
        vectors.fill_now()
        save(*vectors.arrays())
    elif vectors.missing:
        fill = functools.partial(vectors.start_fill, save)
    return SemanticRanker(embedder, vectors, config.semantic.candidates, config.semantic.weight), fill


def _with_fill(index: Index, fill: _Fill) -> Index:
    """Start the background fill of the index's vectors; it stops when the index is freed (a reload)."""
    if fill is not None:
        weakref.finalize(index, fill().set)
    return index


def _passage_terms(config: Config, analyzer: Analyzer, corpus: Corpus, passages: list[Passage]) -> Callable[[int], list[str]]:
    """The terms indexed for passage i: those of its words (below), in order."""
    words_of = _passage_words(config, analyzer, corpus, passages)
    return lambda i: analyzer.terms_of_words(words_of(i))


def _passage_words(config: Config, analyzer: Analyzer, corpus: Corpus, passages: list[Passage]) -> Callable[[int], list[str]]:
    """The words indexed for passage i (see Analyzer.words): its own, its speaker's name, its document's title."""
    documents = {d.id: d for d in corpus.documents}
    title_words: dict[str, list[str]] = {}

    def words_of(i: int) -> list[str]:
        passage = passages[i]
        # A quote is indexed with its speaker's name (see attribution.py).
        text = indexed_text(passages, i) if config.passages.attribution_context else passage.text
        words = analyzer.words(text)
        if config.passages.index_title:
            # The headline is context for every paragraph ("it" in ¶7 is still about Huawei).
            words += title_words.setdefault(passage.document_id, analyzer.words(documents[passage.document_id].title))
        return words

    return words_of
