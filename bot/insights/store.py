"""The question and feedback log: one SQLite file, written off the hot path, private by default.

SQLite because it is one file the operator can copy or delete, commits are atomic (a
crash loses nothing that was committed) and WAL mode lets `/stats` and
`python -m bot stats` read while the bot writes.

Privacy: user ids are stored as keyed hashes (HMAC-SHA256 with a random per-install
salt kept in data_dir), stable enough to count people and to let someone change their
feedback, useless for looking anyone up; question text is kept only when
`insights.log_question_text` is on (and erased when it is turned off again); rows
older than `insights.retention_days` are deleted.

`InsightsStore` is the synchronous API (CLI, tests, the writer thread);
`writer.InsightsRecorder` puts a queue and a background thread in front of it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..config import Config
from .records import FeedbackRecord, QuestionRecord, Record

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SALT_FILE = "insights.salt"
DEFAULT_DATABASE = "insights.sqlite3"

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
