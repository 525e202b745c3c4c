"""The background writer: a queue and one thread in front of an `InsightsStore`.

The bot records a question or a click without ever waiting for the disk; the thread
batches whatever has queued into one transaction.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from typing import Any

from .records import Record
from .store import InsightsError, InsightsStore

log = logging.getLogger(__name__)


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class InsightsRecorder:
    """Queue + background thread in front of a store: `record()` returns at once.

    Batches whatever has queued into one transaction, so a burst of questions costs one
    commit. A failed write is retried, then logged and dropped: the log must never take
    the bot down. Expired rows are purged every `purge_seconds`. The thread starts on
    demand and ends after `idle_seconds` without work, so an idle or abandoned
    recorder holds no thread.
    """

    def __init__(
        self,
        store: InsightsStore,
        batch: int = 500,
        purge_seconds: float = 3600.0,
        idle_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self._batch = batch
        self._purge_seconds = purge_seconds
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()  # orders "put" against "the thread decides to stop"
        self._thread: threading.Thread | None = None
        self._closed = False
        self._next_purge = time.monotonic() + purge_seconds  # the store purged when it opened
        self.written = 0
        self.failed = 0

    def record(self, record: Record) -> None:
        """Queue a record; never blocks, never raises for storage problems."""
        if self._closed:
            log.warning("insights: recorder closed, dropping %s", type(record).__name__)
            return
        self._put(record)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed (tests, shutdown)."""
        if self._closed and (self._thread is None or not self._thread.is_alive()):
            return True
        marker = _Flush()
        self._put(marker)
        return marker.done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, stop the thread, close the database."""
        if self._closed:
            return
        self._closed = True
        self._put(_STOP)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if thread is None or not thread.is_alive():
            self.store.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _put(self, item: Any) -> None:
        with self._lock:
            self._queue.put(item)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="insights-writer", daemon=True)
                self._thread.start()

    def _next(self) -> Any:
        """The next item, or None when idle long enough to stop (decided under the lock)."""
        deadline = time.monotonic() + self._idle_seconds
        while True:
            wait = min(deadline, self._next_purge) - time.monotonic()
            try:
                return self._queue.get(timeout=max(wait, 0.001))
            except queue.Empty:
                pass
            self._purge_if_due()
            if time.monotonic() >= deadline:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return None

    def _run(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            batch: list[Record] = []
            markers: list[_Flush] = []
            stop = False
            while item is not None:
                if item is _STOP:
                    stop = True
                elif isinstance(item, _Flush):
                    markers.append(item)
                else:
                    batch.append(item)
                if stop or len(batch) >= self._batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            if batch:
                self._write(batch)
            for marker in markers:
                marker.done.set()
            self._purge_if_due()
            if stop:
                return

    def _purge_if_due(self) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self._purge_seconds
        try:
            self.store.purge()
        except (sqlite3.Error, InsightsError):
            log.exception("insights: purge failed")

    def _write(self, batch: list[Record]) -> None:
        for attempt in range(3):
            try:
                self.written += self.store.write(batch)
                return
            except (sqlite3.Error, ValueError, TypeError):
                if attempt == 2:
                    log.exception("insights: dropping %d record(s) after 3 failed writes", len(batch))
                    self.failed += len(batch)
                    return
                time.sleep(0.2 * (attempt + 1))
