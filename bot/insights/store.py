"""The question and feedback log: one store interface, two databases behind it.

SQLite (`backends/sqlite.py`) by default: one file the operator can copy or delete,
commits are atomic and WAL mode lets `/stats` read while the bot writes. PostgreSQL
(`backends/postgres.py`) when the host provides one (`DATABASE_URL`, the convention
of Procfile platforms whose disks are wiped on every deploy, or a `postgresql://`
URL in `insights.database`): it outlives the dyno and several bot processes can
share it.

Both keep the same promises, implemented once here: a batch is one transaction
(all of it or none), user ids are stored as keyed hashes (HMAC-SHA256 with a random
per-install salt), stable enough to count people and to let someone change their
feedback, useless for looking anyone up; question text is kept only when
`insights.log_question_text` is on and really erased when it is turned off; rows
older than `insights.retention_days` are deleted. Reads (`/stats`) use their own
connection so they never queue behind the writer.

`InsightsStore` is the synchronous API (CLI, tests, the writer thread);
`writer.InsightsRecorder` puts a queue and a background thread in front of it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Iterator, Mapping, Sequence

from ..config import DATABASE_URL_SCHEMES, Config
from .records import FeedbackRecord, QuestionRecord, Record
from .schema import MIGRATIONS, SCHEMA_VERSION, statements

log = logging.getLogger(__name__)

SALT_FILE = "insights.salt"
DEFAULT_DATABASE = "insights.sqlite3"
DATABASE_URL = "DATABASE_URL"  # the environment variable Procfile platforms set for their PostgreSQL add-on

__all__ = [
    "DATABASE_URL",
    "InsightsError",
    "InsightsStore",
    "SALT_FILE",
    "SCHEMA_VERSION",
    "database_location",
    "database_path",
    "is_postgres_url",
]

Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


class InsightsError(Exception):
    """The log cannot be used; the message names the file (or database) and the problem.

    `transient` errors (a database locked by another process, a server that cannot
    be reached) may go away by themselves: the writer keeps retrying those.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def is_postgres_url(location: str | os.PathLike[str] | None) -> bool:
    return isinstance(location, str) and location.lower().startswith(DATABASE_URL_SCHEMES)


def database_location(config: Config, environ: Mapping[str, str] = os.environ) -> str:
    """Where the log lives: `DATABASE_URL` if set, else `insights.database` (a file path or URL).

    The environment wins because a platform's add-on sets it and rotates its
    credentials; the config file cannot keep up with that.
    """
    url = environ.get(DATABASE_URL, "").strip()
    if url:
        if not is_postgres_url(url):
            scheme = url.split("://", 1)[0] if "://" in url else url[:20]
            raise InsightsError(
                f"{DATABASE_URL}: only PostgreSQL is supported (postgresql://...), got a {scheme!r} URL"
            )
        return url
    database = config.insights.database
    if database is None:
        return str(config.data_dir / DEFAULT_DATABASE)
    return str(database)


def database_path(config: Config) -> Path:
    """The SQLite file for this config (when the log is not in PostgreSQL)."""
    database = config.insights.database
    return Path(database) if database is not None and not is_postgres_url(database) else config.data_dir / DEFAULT_DATABASE


class InsightsStore(ABC):
    """Synchronous access to the log; safe to share between threads.

    One connection (and lock) writes, another reads, so `/stats` never waits for a
    batch. Subclasses supply the connections and the few statements that differ.
    """

    location: str  # the file, or the URL without its password: safe to show and log

    def __init__(
        self,
        salt: bytes,
        *,
        log_question_text: bool = False,
        retention_days: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log_question_text = log_question_text
        self.retention_days = retention_days
        self._salt = salt
        self._clock = clock
        self._lock = threading.RLock()  # the writing connection
        self._read_lock = threading.RLock()  # the reading connection
        self.clashes = 0  # questions refused because their answer id was already logged

    @classmethod
    def open(
        cls, config: Config, clock: Callable[[], float] = time.time, *, busy_timeout: float = 10.0
    ) -> "InsightsStore":
        """The store described by the config (or DATABASE_URL); raises InsightsError naming it.

        `busy_timeout`: how long to wait for a database another process has locked.
        """
        location = database_location(config)
        settings = dict(
            log_question_text=config.insights.log_question_text,
            retention_days=config.insights.retention_days,
            clock=clock,
            busy_timeout=busy_timeout,
        )
        if is_postgres_url(location):
            from .backends.postgres import PostgresStore

            return PostgresStore(location, **settings)  # type: ignore[arg-type]
        from .backends.sqlite import SQLiteStore, load_salt

        return SQLiteStore(Path(location), load_salt(config.data_dir), **settings)  # type: ignore[arg-type]

    @property
    def path(self) -> str | Path:
        """What log lines show for the store (SQLite: the file's Path; PostgreSQL: `location`)."""
        return self.location

    # -- what each backend supplies ----------------------------------------------------

    @abstractmethod
    def _write_transaction(self) -> ContextManager[Any]:
        """A write transaction on the writing connection (held under self._lock), yielding it."""

    @abstractmethod
    def _read_transaction(self) -> ContextManager[Any]:
        """A read-only snapshot on the reading connection (held under self._read_lock)."""

    @abstractmethod
    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement written in SQLite's dialect; returns the cursor."""

    @abstractmethod
    def _database_errors(self) -> tuple[type[BaseException], ...]:
        """The driver's exceptions: turned into InsightsError where the caller must be told."""

    def _before_write(self) -> None:
        """Called under the write lock before each transaction (SQLite: is the file still there?)."""

    def _after_erase(self, erased: int) -> None:
        """Make erased question text unrecoverable (SQLite: checkpoint the WAL; PostgreSQL: VACUUM)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- schema -----------------------------------------------------------------------

    def _before_migrating(self, conn: Any) -> None:
        """First thing in the migration's transaction (PostgreSQL: the lock other processes wait on)."""

    def _migrate(self) -> None:
        with self._write_transaction() as conn:
            self._before_migrating(conn)
            self._execute(conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._execute(conn, "SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise InsightsError(
                    f"{self.location}: written by a newer version of the bot (schema {current}, this one knows {SCHEMA_VERSION})"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in statements(MIGRATIONS[version]):
                    self._execute(conn, statement)
                self._execute(conn, "DELETE FROM schema_version")
                self._execute(conn, "INSERT INTO schema_version (version) VALUES (?)", (version,))

    def _prepare(self) -> None:
        """What every opening does after connecting: migrate, erase text if off, purge."""
        self._migrate()
        if not self.log_question_text:
            self._erase_question_text()
        self.purge()

    @property
    def schema_version(self) -> int:
        return int(self.query("SELECT max(version) FROM schema_version")[0][0])

    # -- reading ----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Query]:
        """One consistent snapshot for several queries (/stats), on the reading connection.

        Database errors come out as InsightsError saying what is wrong, for the
        operator who asked.
        """
        errors = self._database_errors()
        try:
            with self._read_transaction() as conn:

                def query(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
                    return list(self._execute(conn, sql, params).fetchall())

                yield query
        except errors as exc:
            raise InsightsError(f"{self.location}: cannot read the insights log ({_one_line(exc)})") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read rows in SQLite's dialect (stats, tests); never waits for the writer."""
        with self.reading() as query:
            return query(sql, params)

    def now(self) -> float:
        return self._clock()

    def hash_user(self, user_id: int | str | None) -> str | None:
        if user_id is None:
            return None
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    # -- writing ----------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            self._before_write()
            with self._write_transaction() as conn:
                yield conn

    def write(self, records: Iterable[Record]) -> int:
        """Commit a batch in one transaction: all of it is stored, or (on error) none of it.

        Returns how many records were stored; a question whose answer id is already
        logged (an id clash) is refused, counted in `clashes` and logged.
        """
        count = 0
        clashed: list[str] = []
        with self._transaction() as conn:
            for record in records:
                if isinstance(record, QuestionRecord):
                    if not self._insert_question(conn, record):
                        clashed.append(record.answer_id)
                        continue
                elif isinstance(record, FeedbackRecord):
                    self._upsert_feedback(conn, record)
                else:
                    raise TypeError(f"not an insights record: {record!r}")
                count += 1
        if clashed:
            self.clashes += len(clashed)
            log.warning(
                "insights: %d question(s) not logged: answer id already in the log (%s)",
                len(clashed),
                ", ".join(clashed[:5]),
            )
        return count

    def record_question(self, record: QuestionRecord) -> None:
        self.write([record])

    def record_feedback(self, record: FeedbackRecord) -> None:
        self.write([record])

    def _insert_question(self, conn: Any, r: QuestionRecord) -> bool:
        first, last = r.paragraphs if r.paragraphs else (None, None)
        cursor = self._execute(
            conn,
            "INSERT INTO questions (answer_id, asked_at, user_hash, surface, answered, document_id,"
            " first_paragraph, last_paragraph, part, score, coverage, question)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO NOTHING",
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
        return cursor.rowcount == 1

    def _upsert_feedback(self, conn: Any, r: FeedbackRecord) -> None:
        first, last = r.paragraphs if r.paragraphs else (None, None)
        self._execute(
            conn,
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

    def _erase_question_text(self) -> int:
        with self._lock:
            with self._transaction() as conn:
                erased = self._execute(conn, "UPDATE questions SET question = NULL WHERE question IS NOT NULL").rowcount
            self._after_erase(max(erased, 0))
        if erased > 0:
            log.info("insights: erased the text of %d question(s)", erased)
        return erased

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
            deleted = self._execute(conn, "DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            deleted += self._execute(conn, "DELETE FROM feedback WHERE given_at < ?", (cutoff,)).rowcount
        if deleted:
            log.info("insights: deleted %d row(s) older than %d days", deleted, self.retention_days)
        return deleted


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
