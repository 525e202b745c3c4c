"""Passage vectors: computed once per corpus, on demand and in the background, cached on disk.

Embedding costs milliseconds per passage, so a large archive cannot be embedded
while the bot starts (100,000 passages take minutes on two cores). The policy:

- vectors already in the index cache are loaded at start-up (a file read);
- a small corpus (at most EAGER passages missing, the bundled story for one) is
  embedded while the index is built and cached;
- otherwise the missing vectors are filled by a background thread that starts
  FILL_DELAY seconds after the index is built (so a one-shot `python -m bot ask`
  never pays for it), in chunks, saving to the cache every SAVE_EVERY passages and at
  the end; meanwhile a question embeds the few BM25 candidates that still lack a
  vector, and keeps them (memoised) for the next question.

Each passage has a vector for itself and one per sentence (unit_texts). Vectors are
kept as float16 (half the memory of float32); cosine similarities computed from them
differ from float32 by less than 0.001.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Sequence

import numpy as np

from ..passages import sentence_spans
from .model import DIMENSIONS, Embedder

log = logging.getLogger(__name__)

EAGER = 64  # at most this many missing vectors are computed while the index is built
CHUNK = 32  # passages per background step (questions run between steps)
SAVE_EVERY = 10_000  # passages embedded in the background between cache writes
FILL_DELAY = 1.0  # seconds after the index is built before the background fill starts

Save = Callable[[np.ndarray, np.ndarray, np.ndarray], object]  # (offsets, vectors, done) → written or not


def unit_texts(text: str) -> list[str]:
    """What is embedded for a passage: the whole passage, then each sentence if it has several.

    A passage's similarity to a question is the best of these (see ranker.py): a
    paragraph averages its sentences' meanings, so the one sentence that answers
    is diluted by the others; the sentence alone is not. Measured on SQuAD v1.1:
    top-1 0.828 with the whole passage only, 0.845 with the best of both (EVALUATION.md).
    """
    spans = sentence_spans(text)
    if len(spans) <= 1:
        return [text]
    return [text] + [text[start:end] for start, end in spans]


class PassageVectors:
    """Unit vectors of a corpus's passages and their sentences, computed once per passage.

    Passage p's rows (float16, 384 wide) are the whole passage first, then its sentences
    (unit_texts). They come from the cache file (one block, sliced per passage, no copy)
    or are computed in this process; nothing is computed per passage at start-up, so
    opening an archive of 100,000 passages costs two allocations. Thread-safe without a
    lock on the hot path: a passage's rows are stored before its `done` flag is set, and
    a passage computed twice (by a question and by the fill at once) gets the same rows.
    """

    def __init__(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        offsets: np.ndarray | None = None,
        block: np.ndarray | None = None,
        done: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.texts = texts
        n = len(texts)
        # From the cache: passage p's rows are block[offsets[p]:offsets[p + 1]] where done[p].
        self._offsets = offsets if offsets is not None else np.zeros(n + 1, dtype=np.int64)
        self._block = block if block is not None else np.zeros((0, DIMENSIONS), dtype=np.float16)
        self.done = done.copy() if done is not None else np.zeros(n, dtype=bool)
        if self._offsets.shape != (n + 1,) or self.done.shape != (n,) or self._block.shape[1:] != (DIMENSIONS,):
            raise ValueError("vectors do not match the passages")
        self._own: list[np.ndarray | None] = [None] * n  # rows computed by this process
        self.computed = 0  # passages embedded by this process (not loaded), for logs and tests
        # Passages a fill has taken on (so fill_now and the background fill do not embed the
        # same ones twice); a question does not wait for them, it embeds what it needs itself.
        self._claimed = np.zeros(n, dtype=bool)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def missing(self) -> int:
        return len(self.texts) - int(self.done.sum())

    def rows(self, position: int) -> np.ndarray:
        """Passage `position`'s vectors as float32: the whole passage first, then its sentences."""
        self._ensure([position])
        return self._rows(position).astype(np.float32)

    def _rows(self, position: int) -> np.ndarray:
        own = self._own[position]
        if own is not None:
            return own
        return self._block[self._offsets[position] : self._offsets[position + 1]]

    def similarities(self, positions: Sequence[int], query: np.ndarray) -> np.ndarray:
        """For each passage, its best cosine with `query`: of the whole passage or one of its sentences."""
        positions = list(positions)
        self._ensure(positions)
        query = query.astype(np.float32)
        return np.array([float((self._rows(p).astype(np.float32) @ query).max()) for p in positions], dtype=np.float32)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(offsets, block, done) of everything done so far, the cache file's layout.

        A passage not done owns no rows (offsets[p] == offsets[p + 1])."""
        done = self.done.copy()  # before reading rows: a row is stored before its flag is set
        parts = [self._rows(p) if done[p] else self._block[:0] for p in range(len(self.texts))]
        counts = np.fromiter((len(r) for r in parts), dtype=np.int64, count=len(parts))
        offsets = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)])
        block = np.concatenate(parts) if parts else self._block[:0]
        return offsets, block.astype(np.float16, copy=False), done

    def _ensure(self, positions: Sequence[int]) -> None:
        todo = [p for p in dict.fromkeys(positions) if not self.done[p]]
        if todo:
            self._compute(todo)

    def _compute(self, positions: Sequence[int]) -> None:
        units = [unit_texts(self.texts[p]) for p in positions]
        vectors = self.embedder.embed([u for group in units for u in group]).astype(np.float16)
        start = 0
        for p, group in zip(positions, units):
            self._own[p] = vectors[start : start + len(group)]
            start += len(group)
            self.done[p] = True
        self.computed += len(positions)

    def _claim(self) -> list[int]:
        """The next CHUNK passages nobody has computed or taken on yet."""
        with self._lock:
            todo = np.flatnonzero(~(self.done | self._claimed))[:CHUNK]
            self._claimed[todo] = True
        return todo.tolist()

    def fill_now(self) -> None:
        """Embed every missing passage in this thread (sharing the work with a running fill)."""
        while todo := self._claim():
            self._compute(todo)
        # Passages a background fill took but has not finished: do not wait for it.
        rest = np.flatnonzero(~self.done)
        for start in range(0, len(rest), CHUNK):
            self._compute(rest[start : start + CHUNK].tolist())

    def fill(self, stop: threading.Event, save: Save | None, delay: float | None = None) -> None:
        """The background fill: embed what is missing, chunk by chunk, until done or stopped."""
        if stop.wait(FILL_DELAY if delay is None else delay):
            return
        started, total = time.perf_counter(), self.missing
        log.info("embedding %d passages in the background (questions embed their candidates meanwhile)", total)
        since_save = 0
        while not stop.is_set():
            todo = self._claim()
            if not todo:
                break
            self._compute(todo)
            since_save += len(todo)
            if save is not None and since_save >= SAVE_EVERY:
                save(*self.arrays())
                since_save = 0
            time.sleep(0)  # let question threads take the GIL between chunks
        if stop.is_set():
            return  # the index was replaced or the process is stopping: the work is not needed
        if save is not None:
            save(*self.arrays())
        log.info("embedded %d passages in %.1f s", total, time.perf_counter() - started)

    def start_fill(self, save: Save | None, delay: float | None = None) -> threading.Event:
        """Run fill() on a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.fill, args=(stop, save, delay), name="passage-vectors", daemon=True)
        thread.start()
        return stop
