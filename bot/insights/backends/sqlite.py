"""The insights log in one SQLite file (the default).

WAL mode: the reading connection sees the last commit while the writer works.
`synchronous=FULL`: a commit is on disk when it returns (writes are batched off the
hot path, so the fsync is cheap). `secure_delete`: erased question text is
overwritten, not merely unlinked from the b-tree, and the WAL is checkpointed and
truncated after an erasure, so the text is in none of the database's files.

The salt lives in its own file in data_dir: copying or deleting the database leaves
the install's identity alone.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..store import SALT_FILE, InsightsError, InsightsStore

log = logging.getLogger(__name__)

_BUSY = (sqlite3.SQLITE_BUSY, getattr(sqlite3, "SQLITE_LOCKED", 6))


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


def _open_error(path: Path, exc: sqlite3.Error) -> InsightsError:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in _BUSY:
        return InsightsError(f"{path}: the insights database is locked by another program ({exc})", transient=True)
    if code == sqlite3.SQLITE_CANTOPEN:
        return InsightsError(f"{path}: cannot open the insights database ({exc})")
    return InsightsError(f"{path}: not a usable insights database ({exc})")


class SQLiteStore(InsightsStore):
    """The log in `path`, with `salt` from the salt file (see `load_salt`)."""

    def __init__(
        self,
        path: Path,
        salt: bytes,
        *,
        log_question_text: bool = False,
        retention_days: int = 0,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 10.0,
    ) -> None:
        super().__init__(salt, log_question_text=log_question_text, retention_days=retention_days, clock=clock)
        self._path = Path(path)
        self.location = str(self._path)
        self._busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # (st_dev, st_ino) of the file the writer has open
        self._reader_identity: tuple[int, int] | None = None
        self._closed = False
        with self._lock:
            self._open_writer()

    @property
    def path(self) -> Path:
        return self._path

    # -- connections ------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=self._busy_timeout)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino)

    def _open_writer(self) -> None:
        """Connect, switch to WAL, migrate, erase and purge; errors become InsightsError."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InsightsError(f"{self._path}: cannot create its folder ({exc.strerror or exc})") from None
        try:
            self._conn = self._connect()
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._identity = self._file_identity()
            self._prepare()
        except InsightsError:
            self._close_writer()
            raise
        except sqlite3.Error as exc:
            self._close_writer()
            raise _open_error(self._path, exc) from None

    def _close_writer(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _before_write(self) -> None:
        """Per batch: is the file the writer has open still the one at `path`?

        Deleted (or replaced) under a running bot, rows would go to an unlinked file
        and vanish at restart; reopen instead, creating a fresh log at `path`.
        """
        if self._closed:
            raise InsightsError(f"{self._path}: the insights store is closed")
        if self._conn is not None and self._file_identity() == self._identity:
            return
        if self._conn is not None:
            log.warning("insights: %s was deleted or replaced; starting a new log there", self._path)
        self._close_writer()
        self._open_writer()

    @contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK if anything in between fails."""
        with self._lock:
            if self._conn is None:
                raise InsightsError(f"{self._path}: the insights database is not open")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _read_transaction(self) -> Iterator[sqlite3.Connection]:
        """A deferred transaction on the reading connection: a WAL snapshot, no lock on writers."""
        with self._read_lock:
            if self._closed:
                raise InsightsError(f"{self._path}: the insights store is closed")
            identity = self._file_identity()
            if identity is None:
                raise InsightsError(
                    f"{self._path}: the insights database file is gone (deleted?); the next question starts a new one"
                )
            if self._reader is None or identity != self._reader_identity:
                if self._reader is not None:
                    self._reader.close()
                self._reader = None
                self._reader = self._connect()
                self._reader_identity = identity
            conn = self._reader
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:  # an error may have ended it already
                    conn.execute("COMMIT")  # a read-only transaction: COMMIT only ends the snapshot

    def _execute(self, conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return conn.execute(sql, params)

    def _database_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def _after_erase(self, erased: int) -> None:
        """Erased text must not survive in the WAL: copy it into the file, then truncate the WAL to nothing."""
        if not erased or self._conn is None:
            return
        busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("insights: %s is being read by another program; erased text stays in its -wal file until the next checkpoint", self._path)

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._closed = True
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self._close_writer()
