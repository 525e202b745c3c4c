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

Vectors are kept as float16 (half the memory: 77 MB for 100,000 passages); cosine
similarities computed from them differ from float32 by less than 0.001.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Sequence

import numpy as np

from .model import DIMENSIONS, Embedder

log = logging.getLogger(__name__)

EAGER = 64  # at most this many missing vectors are computed while the index is built
CHUNK = 32  # passages per background step (questions run between steps)
SAVE_EVERY = 10_000  # passages embedded in the background between cache writes
FILL_DELAY = 1.0  # seconds after the index is built before the background fill starts

Save = Callable[[np.ndarray, np.ndarray], object]  # (vectors, done) → written or not


class PassageVectors:
    """Unit vectors of a corpus's passages; rows not yet computed are marked in `done`.

    Thread-safe without a lock on the hot path: a row is written before its `done`
    flag is set, and a row computed twice (by a question and by the fill at once)
    gets the same vector both times.
    """

    def __init__(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        vectors: np.ndarray | None = None,
        done: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.texts = texts
        n = len(texts)
        self.vectors = vectors if vectors is not None else np.zeros((n, DIMENSIONS), dtype=np.float16)
        self.done = done if done is not None else np.zeros(n, dtype=bool)
        if self.vectors.shape != (n, DIMENSIONS) or self.done.shape != (n,):
            raise ValueError("vectors do not match the passages")
        self.computed = 0  # vectors embedded by this process (not loaded), for logs and tests

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def missing(self) -> int:
        return len(self.texts) - int(self.done.sum())

    def get(self, positions: Sequence[int]) -> np.ndarray:
        """(len(positions), 384) float32: the vectors of these passages, embedding any not yet done."""
        positions = list(positions)
        todo = [p for p in dict.fromkeys(positions) if not self.done[p]]
        if todo:
            self._compute(todo)
        return self.vectors[positions].astype(np.float32)

    def _compute(self, positions: Sequence[int]) -> None:
        rows = np.asarray(positions, dtype=np.int64)
        self.vectors[rows] = self.embedder.embed([self.texts[p] for p in positions])
        self.done[rows] = True
        self.computed += len(positions)

    def fill_now(self) -> None:
        """Embed every missing passage in this thread."""
        todo = np.flatnonzero(~self.done)
        for start in range(0, len(todo), CHUNK):
            self._compute(todo[start : start + CHUNK].tolist())

    def fill(self, stop: threading.Event, save: Save | None, delay: float = FILL_DELAY) -> None:
        """The background fill: embed what is missing, chunk by chunk, until done or stopped."""
        if stop.wait(delay):
            return
        started, total = time.perf_counter(), self.missing
        log.info("embedding %d passages in the background (questions embed their candidates meanwhile)", total)
        since_save = 0
        while not stop.is_set():
            todo = np.flatnonzero(~self.done)[:CHUNK]
            if not len(todo):
                break
            self._compute(todo.tolist())
            since_save += len(todo)
            if save is not None and since_save >= SAVE_EVERY:
                save(self.vectors, self.done.copy())
                since_save = 0
            time.sleep(0)  # let question threads take the GIL between chunks
        if stop.is_set():
            return  # the index was replaced or the process is stopping: the work is not needed
        if save is not None:
            save(self.vectors, self.done.copy())
        log.info("embedded %d passages in %.1f s", total, time.perf_counter() - started)

    def start_fill(self, save: Save | None, delay: float = FILL_DELAY) -> threading.Event:
        """Run fill() on a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.fill, args=(stop, save, delay), name="passage-vectors", daemon=True)
        thread.start()
        return stop
