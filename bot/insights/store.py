"""The question and feedback log: one SQLite file, written off the hot path, private by default.

SQLite because it is one file the operator can copy or delete, commits are atomic (a
crash loses nothing that was committed) and WAL mode lets `/stats` and
`python -m bot stats` read while the bot writes.

Privacy: user ids are stored as keyed hashes (HMAC-SHA256 with a random per-install
salt kept in data_dir), stable enough to count people and to let someone change their
feedback, useless for looking anyone up; question text is kept only when
`insights.log_question_text` is on (and erased when it is turned off again); rows
older than `insights.retention_days` are deleted.

`InsightsStore` is the synchronous API (CLI, tests, the writer thread).
`InsightsRecorder` puts a queue and a background thread in front of it, so the bot
records a question or a click without ever waiting for the disk.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..config import Config

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SALT_FILE = "insights.salt"
DEFAULT_DATABASE = "insights.sqlite3"
SURFACES = ("slash", "dm", "mention", "context_menu", "cli")

# Index = the version a script upgrades *to*. Never edit a released script; append one.
_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE questions (
        answer_id TEXT PRIMARY KEY,
        asked_at REAL NOT NULL,             -- unix time (UTC)
        user_hash TEXT,                     -- HMAC of the user id, never the id
        surface TEXT NOT NULL,              -- slash | dm | mention | context_menu | cli
        answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
        document_id TEXT,                   -- best passage, NULL when abstained
        first_paragraph INTEGER,
        last_paragraph INTEGER,
        part INTEGER,
        score REAL,
        coverage REAL,
        question TEXT                       -- NULL unless insights.log_question_text
    );
    CREATE INDEX questions_asked_at ON questions (asked_at);
    CREATE TABLE feedback (
        answer_id TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        given_at REAL NOT NULL,
        match_rank INTEGER NOT NULL DEFAULT 0,  -- 0 = the first match, 1 = after one "Next match"
        document_id TEXT,
        first_paragraph INTEGER,
        last_paragraph INTEGER,
        PRIMARY KEY (answer_id, user_hash)       -- one vote per person per answer; changing it overwrites
    );
    CREATE INDEX feedback_given_at ON feedback (given_at);
    """,
}


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements inside our own transaction (executescript would COMMIT first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


class InsightsError(Exception):
    """The log cannot be used; the message names the file and the problem."""


def new_answer_id() -> str:
    """A short random id for one answer: it travels in button custom ids (max 100 chars)."""
    return secrets.token_hex(5)


@dataclass(frozen=True)
class QuestionRecord:
    answer_id: str
    surface: str
    answered: bool
    user_id: int | str | None = None
    question: str | None = None  # dropped by the store unless question text logging is on
    document_id: str | None = None
    paragraphs: tuple[int, int] | None = None
    part: int | None = None
    score: float | None = None
    coverage: float | None = None
    asked_at: float | None = None  # unix time; None = now

    def __post_init__(self) -> None:
        # Checked here, in the caller, so one bad record cannot sink a background batch.
        if self.surface not in SURFACES:
            raise ValueError(f"unknown surface {self.surface!r} (known: {', '.join(SURFACES)})")

    @classmethod
    def from_answer(
        cls,
        answer: Any,
        surface: str,
        user_id: int | str | None = None,
        answer_id: str | None = None,
    ) -> "QuestionRecord":
        """Build from an engine Answer (duck-typed: this package does not import the engine)."""
        best = answer.best
        return cls(
            answer_id=answer_id or new_answer_id(),
            surface=surface,
            answered=best is not None,
            user_id=user_id,
            question=answer.question,
            document_id=best.document.id if best else None,
            paragraphs=tuple(best.passage.paragraphs) if best else None,
            part=best.passage.part if best else None,
            score=float(best.score) if best else None,
            coverage=float(answer.coverage),
        )


@dataclass(frozen=True)
class FeedbackRecord:
    answer_id: str
    helpful: bool
    user_id: int | str | None = None
    match_rank: int = 0
    document_id: str | None = None
    paragraphs: tuple[int, int] | None = None
    given_at: float | None = None


Record = QuestionRecord | FeedbackRecord


def load_salt(data_dir: Path) -> bytes:
    """The per-install salt, created once (mode 0600) and never rewritten.

    Written to a temporary file and hard-linked into place, so a crash while creating
    it cannot leave a half-written salt, and two processes starting together agree.
    """
    path = data_dir / SALT_FILE
    try:
        salt = path.read_bytes()
    except FileNotFoundError:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            tmp = data_dir / f".{SALT_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process won the race; use its salt
            finally:
                tmp.unlink()
            salt = path.read_bytes()
        except OSError as exc:
            raise InsightsError(f"{path}: cannot create the salt file ({exc.strerror or exc})") from None
    except OSError as exc:
        raise InsightsError(f"{path}: cannot read the salt file ({exc.strerror or exc})") from None
    if len(salt) < 16:
        raise InsightsError(f"{path}: salt file is damaged (too short); delete it and the database to start afresh")
    return salt


def database_path(config: Config) -> Path:
    return config.insights.database or config.data_dir / DEFAULT_DATABASE


class InsightsStore:
    """Synchronous access to the log; safe to share between threads (one lock, one connection)."""

    def __init__(
        self,
        path: Path,
        salt: bytes,
        *,
        log_question_text: bool = False,
        retention_days: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.log_question_text = log_question_text
        self.retention_days = retention_days
        self._salt = salt
        self._clock = clock
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT) below.
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise InsightsError(f"{self.path}: cannot open the insights database ({exc})") from None
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk when it returns. Writes are batched off the hot path, so the fsync is cheap.
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if not log_question_text:
                self._erase_question_text()
            self.purge()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise InsightsError(f"{self.path}: not a usable insights database ({exc})") from None

    @classmethod
    def open(cls, config: Config, clock: Callable[[], float] = time.time) -> "InsightsStore":
        """The store described by config.insights (raises InsightsError naming the file)."""
        return cls(
            database_path(config),
            load_salt(config.data_dir),
            log_question_text=config.insights.log_question_text,
            retention_days=config.insights.retention_days,
            clock=clock,
        )

    # -- schema -----------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise InsightsError(
                    f"{self.path}: written by a newer version of the bot (schema {current}, this one knows {SCHEMA_VERSION})"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(_MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    @property
    def schema_version(self) -> int:
        return int(self.query("SELECT max(version) FROM schema_version")[0][0])

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the lock; ROLLBACK if anything in between fails."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read rows (for stats); never blocks on the writer for long thanks to WAL."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def now(self) -> float:
        return self._clock()

    def hash_user(self, user_id: int | str | None) -> str | None:
        if user_id is None:
            return None
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    # -- writing ----------------------------------------------------------------------

    def write(self, records: Iterable[Record]) -> int:
        """Commit a batch in one transaction: all of it is stored, or (on error) none of it."""
        count = 0
        with self._transaction() as conn:
            for record in records:
                if isinstance(record, QuestionRecord):
                    self._insert_question(conn, record)
                elif isinstance(record, FeedbackRecord):
                    self._upsert_feedback(conn, record)
                else:
                    raise TypeError(f"not an insights record: {record!r}")
                count += 1
        return count

    def record_question(self, record: QuestionRecord) -> None:
        self.write([record])

    def record_feedback(self, record: FeedbackRecord) -> None:
        self.write([record])

    def _insert_question(self, conn: sqlite3.Connection, r: QuestionRecord) -> None:
        first, last = r.paragraphs if r.paragraphs else (None, None)
        conn.execute(
            "INSERT OR IGNORE INTO questions (answer_id, asked_at, user_hash, surface, answered, document_id,"
            " first_paragraph, last_paragraph, part, score, coverage, question)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.answer_id,
                r.asked_at if r.asked_at is not None else self.now(),
                self.hash_user(r.user_id),
                r.surface,
                int(r.answered),
                r.document_id,
                first,
                last,
                r.part,
                r.score,
                r.coverage,
                r.question if self.log_question_text else None,
            ),
        )

    def _upsert_feedback(self, conn: sqlite3.Connection, r: FeedbackRecord) -> None:
        first, last = r.paragraphs if r.paragraphs else (None, None)
        conn.execute(
            "INSERT INTO feedback (answer_id, user_hash, helpful, given_at, match_rank, document_id,"
            " first_paragraph, last_paragraph) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (answer_id, user_hash) DO UPDATE SET helpful = excluded.helpful,"
            " given_at = excluded.given_at, match_rank = excluded.match_rank,"
            " document_id = excluded.document_id, first_paragraph = excluded.first_paragraph,"
            " last_paragraph = excluded.last_paragraph",
            (
                r.answer_id,
                self.hash_user(r.user_id) or "",
                int(r.helpful),
                r.given_at if r.given_at is not None else self.now(),
                r.match_rank,
                r.document_id,
                first,
                last,
            ),
        )

    def _erase_question_text(self) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE questions SET question = NULL WHERE question IS NOT NULL")

    def reconfigure(self, log_question_text: bool, retention_days: int) -> None:
        """Apply changed privacy settings (a /reload): text logging off erases kept text now."""
        with self._lock:
            self.log_question_text = log_question_text
            self.retention_days = retention_days
            if not log_question_text:
                self._erase_question_text()
            self.purge()

    def cutoff(self) -> float | None:
        """Unix time before which rows are expired (None: kept forever)."""
        if self.retention_days <= 0:
            return None
        return self.now() - self.retention_days * 86_400

    def purge(self) -> int:
        """Delete rows older than the retention period; returns how many went."""
        cutoff = self.cutoff()
        if cutoff is None:
            return 0
        with self._transaction() as conn:
            deleted = conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            deleted += conn.execute("DELETE FROM feedback WHERE given_at < ?", (cutoff,)).rowcount
        if deleted:
            log.info("insights: deleted %d row(s) older than %d days", deleted, self.retention_days)
        return deleted

    def close(self) -> None:
        with self._lock:
            self._conn.close()


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
