"""The background writer: a bounded queue and one thread in front of an `InsightsStore`.

The bot records a question or a click without ever waiting for the database; the
thread batches whatever has queued into one transaction. It is the same for both
backends.

The log must never take the bot down, and must not quietly stop either: any
exception of a batch (a full disk, a dropped connection, a MemoryError) is logged
and counted and the thread carries on; the queue is bounded, so a database that is
gone for long costs a counted, logged loss of records, not the bot's memory. A
database that cannot be opened yet (locked by another process, a server still
starting) is retried in the background, and `reopen()` (the bot's /reload) opens it
afresh.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..config import Config
from .records import Record
from .store import InsightsError, InsightsStore

log = logging.getLogger(__name__)

Opener = Callable[[], InsightsStore]


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


@dataclass
class _Reopen:
    opener: Opener
    done: threading.Event = field(default_factory=threading.Event)
    error: InsightsError | None = None


_STOP = object()


class InsightsRecorder:
    """Queue + background thread in front of a store: `record()` returns at once.

    Batches whatever has queued into one transaction, so a burst of questions costs one
    commit. A failed write is retried, then logged and dropped. Expired rows are purged
    every `purge_seconds`. The thread starts on demand and ends after `idle_seconds`
    without work, so an idle or abandoned recorder holds no thread. At most
    `max_queue` records wait; more are dropped with a warning and counted in `dropped`.

    Build it with an open store, or with `opening(config)` to open it in the
    background (retrying every `retry_seconds`, doubling up to a minute, while the
    database is locked or unreachable).
    """

    def __init__(
        self,
        store: InsightsStore | None = None,
        batch: int = 500,
        purge_seconds: float = 3600.0,
        idle_seconds: float = 30.0,
        *,
        opener: Opener | None = None,
        max_queue: int = 10_000,
        retry_seconds: float = 1.0,
        busy_timeout: float = 10.0,
    ) -> None:
        if store is None and opener is None:
            raise ValueError("an InsightsRecorder needs a store or an opener")
        self._store = store
        self._opener = opener
        self._batch = batch
        self._purge_seconds = purge_seconds
        self._idle_seconds = idle_seconds
        self._max_queue = max_queue
        self._retry_seconds = retry_seconds
        self._busy_timeout = busy_timeout  # for stores reopen(config) opens
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()  # orders "put" against "the thread decides to stop"
        self._thread: threading.Thread | None = None
        self._closed = False
        self._waiting = 0  # records queued and not yet taken by the thread (the bound)
        self._reopens = 0  # reopen() requests queued and not yet handled
        self._wake = threading.Event()
        self._next_purge = time.monotonic() + purge_seconds  # the store purged when it opened
        self._last_drop_warning = float("-inf")
        self.error: InsightsError | None = None  # why the store is not open (None when it is)
        self.written = 0
        self.failed = 0  # records a batch could not commit (logged)
        self.dropped = 0  # records refused because the queue was full or the recorder closed

    @classmethod
    def opening(cls, config: Config, *, busy_timeout: float = 10.0, **options: Any) -> "InsightsRecorder":
        """A recorder that opens the store of `config` in the background, retrying while it cannot.

        `busy_timeout`: how long one attempt waits for a database another process has locked.
        """
        recorder = cls(opener=_opener_for(config, busy_timeout), busy_timeout=busy_timeout, **options)
        recorder._start()
        return recorder

    @property
    def store(self) -> InsightsStore | None:
        """The open store (None while it is being opened, or if it could not be)."""
        return self._store

    def record(self, record: Record) -> None:
        """Queue a record; never blocks, never raises for storage problems."""
        if self._closed:
            self.dropped += 1
            log.warning("insights: recorder closed, dropping %s", type(record).__name__)
            return
        with self._lock:
            if self._waiting >= self._max_queue:
                self.dropped += 1
                full = True
            else:
                self._waiting += 1
                full = False
        if full:
            self._warn_dropped()
            return
        self._put(record)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed (tests, shutdown); False on timeout."""
        if self._closed and (self._thread is None or not self._thread.is_alive()):
            return True
        marker = _Flush()
        self._put(marker)
        return marker.done.wait(timeout)

    def reopen(self, config: Config | None = None, timeout: float = 10.0) -> InsightsStore:
        """Close the store and open it again (from `config` if given): the bot's /reload.

        Records queued before are committed first. Returns the new store, or raises
        InsightsError saying why it could not be opened; a transient failure (a
        locked database) keeps being retried in the background.
        """
        if self._closed:
            raise InsightsError("the insights recorder is closed")
        opener = _opener_for(config, self._busy_timeout) if config is not None else self._opener
        if opener is None:
            raise InsightsError("no configuration to reopen the insights log from")
        request = _Reopen(opener)
        with self._lock:
            self._reopens += 1
        self._put(request)  # in order: what was queued before goes to the store open now
        self._wake.set()
        if not request.done.wait(timeout):
            raise InsightsError(f"reopening the insights log did not finish within {timeout:g} s")
        if request.error is not None:
            raise request.error
        assert self._store is not None
        return self._store

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, stop the thread, close the database."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        self._put(_STOP)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if thread is None or not thread.is_alive():
            store, self._store = self._store, None
            if store is not None:
                store.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the thread -------------------------------------------------------------------

    def _put(self, item: Any) -> None:
        with self._lock:
            self._queue.put(item)
            self._start_locked()

    def _start(self) -> None:
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="insights-writer", daemon=True)
            self._thread.start()

    def _warn_dropped(self) -> None:
        now = time.monotonic()
        if now - self._last_drop_warning >= 60:
            self._last_drop_warning = now
            log.warning(
                "insights: %d record(s) waiting, the most the queue holds; dropped %d so far (%s)",
                self._max_queue,
                self.dropped,
                self.error or "the database is slower than the questions",
            )

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
                    if self._queue.empty() and (self._store is not None or self.error is not None):
                        self._thread = None
                        return None

    def _run(self) -> None:
        try:
            while True:
                try:
                    if self._step():
                        return
                except Exception:  # noqa: BLE001 - the writer outlives anything a batch throws
                    log.exception("insights: the log writer hit an unexpected error; carrying on")
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None
                restart = not self._queue.empty() and not self._closed
                if restart:
                    self._start_locked()  # something was queued as the thread ended

    def _step(self) -> bool:
        """One round: open if needed, take a batch and commit it, reopen if asked. True: stop."""
        self._ensure_open()
        item = self._next()
        if item is None:
            return True
        batch: list[Record] = []
        markers: list[_Flush] = []
        reopen: _Reopen | None = None
        stop = False
        while item is not None:
            if item is _STOP:
                stop = True
            elif isinstance(item, _Flush):
                markers.append(item)
            elif isinstance(item, _Reopen):
                reopen = item
            else:
                batch.append(item)
            if stop or reopen is not None or len(batch) >= self._batch:
                break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                item = None
        with self._lock:
            self._waiting -= len(batch)
        try:
            if reopen is not None and self._store is None:
                self._handle_reopen(reopen)  # nothing open to commit to: the batch goes to the new store
                reopen = None
            if batch:
                self._write(batch)
            if reopen is not None:
                self._handle_reopen(reopen)
        finally:
            for marker in markers:
                marker.done.set()
        self._purge_if_due()
        return stop

    def _handle_reopen(self, request: _Reopen) -> None:
        with self._lock:
            self._reopens -= 1
        try:
            old, self._store = self._store, None
            self._opener = request.opener
            if old is not None:
                try:
                    old.close()
                except Exception:  # noqa: BLE001
                    log.exception("insights: closing the old log failed")
            self.error = None
            request.error = self._try_open()
        finally:
            request.done.set()

    def _try_open(self) -> InsightsError | None:
        """One attempt at opening; remembers and logs the error (once per distinct error)."""
        assert self._opener is not None
        try:
            self._store = self._opener()
        except InsightsError as exc:
            if self.error is None or str(self.error) != str(exc):
                if exc.transient:
                    log.warning("insights: %s; retrying in the background", exc)
                else:
                    log.error("insights: %s; the log is off until /reload", exc)
            self.error = exc
            return exc
        except Exception as exc:  # noqa: BLE001
            log.exception("insights: opening the log failed")
            self.error = InsightsError(f"opening the insights log failed ({type(exc).__name__}: {exc})")
            return self.error
        if self.error is not None:
            log.info("insights: %s is open now", self._store.location)
        self.error = None
        log.info("insights log: %s (question text %s)", self._store.location, "kept" if self._store.log_question_text else "not kept")
        return None

    def _ensure_open(self) -> None:
        """Keep trying a transient failure (backing off) until open, closed, or asked to reopen."""
        delay = self._retry_seconds
        while self._store is None and self._opener is not None and not self._closed:
            if self.error is not None and not self.error.transient:
                return  # retrying will not help: wait for reopen()
            if self._try_open() is None:
                return
            self._wake.wait(delay)
            self._wake.clear()
            if self._reopens:
                return  # reopen() takes over
            delay = min(delay * 2, 60.0)

    def _purge_if_due(self) -> None:
        if time.monotonic() < self._next_purge or self._store is None:
            return
        self._next_purge = time.monotonic() + self._purge_seconds
        try:
            self._store.purge()
        except Exception:  # noqa: BLE001
            log.exception("insights: purge failed")

    def _write(self, batch: list[Record]) -> None:
        store = self._store
        if store is None:
            self.failed += len(batch)
            log.error("insights: dropping %d record(s): the log is not open (%s)", len(batch), self.error)
            return
        for attempt in range(3):
            try:
                self.written += store.write(batch)
                return
            except Exception:  # noqa: BLE001 - any failure of a batch: retry, then drop and log
                if attempt == 2:
                    log.exception("insights: dropping %d record(s) after 3 failed writes", len(batch))
                    self.failed += len(batch)
                    return
                time.sleep(0.2 * (attempt + 1))


def _opener_for(config: Config, busy_timeout: float) -> Opener:
    return lambda: InsightsStore.open(config, busy_timeout=busy_timeout)
