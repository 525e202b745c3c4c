"""The insights log in PostgreSQL (psycopg 3), for hosts that provide one.

A Procfile platform wipes its disk on every deploy and at least daily, so there the
SQLite file (and its salt) would never see "last 7 days" fill. A PostgreSQL add-on
outlives the dyno, and several bot processes (shards) can write to it at once:
each keeps its own connections, commits its own batches, and /stats counts all.

The salt is a row in the database (`insights_salt`), not a file: the disk that would
hold the file is the one that is wiped. It is created once, under an advisory lock
that also serialises the migrations of processes starting together.

Erasing question text NULLs it and then `VACUUM FULL questions` rewrites the table,
so the old row versions leave the table's files. The server's own write-ahead log
and the provider's backups keep them until those expire: that part is the host's.
"""

from __future__ import annotations

import logging
import secrets
import time
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Iterator, Sequence

import psycopg
from psycopg import conninfo

from ..schema import for_postgres
from ..store import InsightsError, InsightsStore, _one_line

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: b"STORYBOT" as a signed 64-bit number, the same in every process.
_MIGRATION_LOCK = int.from_bytes(b"STORYBOT", "big", signed=True)


def describe(url: str) -> str:
    """The URL as it may be shown and logged: no password, no query string."""
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        raise InsightsError("the PostgreSQL URL for insights is not valid (check DATABASE_URL or insights.database)") from None
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    if "/" in host:  # a unix socket directory
        host = f"[{host}]"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"


class PostgresStore(InsightsStore):
    """The log in the PostgreSQL database at `url` (postgresql:// or postgres://)."""

    def __init__(
        self,
        url: str,
        *,
        log_question_text: bool = False,
        retention_days: int = 0,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 10.0,
    ) -> None:
        super().__init__(b"", log_question_text=log_question_text, retention_days=retention_days, clock=clock)
        self.location = describe(url)
        self._url = url
        self._timeout = busy_timeout
        self._conn: psycopg.Connection[Any] | None = None
        self._reader: psycopg.Connection[Any] | None = None
        self._closed = False
        with self._lock:
            try:
                self._conn = self._connect()
                self._prepare()
            except psycopg.Error as exc:
                self.close()
                raise InsightsError(
                    f"{self.location}: not a usable insights database ({_one_line(exc)})",
                    transient=isinstance(exc, psycopg.OperationalError),
                ) from None
            except BaseException:
                self.close()
                raise

    # -- connections ------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self._url,
                autocommit=True,  # transactions are explicit: conn.transaction()
                connect_timeout=max(2, round(self._timeout)),
                application_name="story-bot insights",
            )
        except psycopg.Error as exc:
            raise InsightsError(
                f"{self.location}: cannot connect to the insights database ({_one_line(exc)})", transient=True
            ) from None

    def _live(self, conn: psycopg.Connection[Any] | None) -> psycopg.Connection[Any]:
        """The connection, or a new one if the server dropped it (restarts, idle timeouts)."""
        if self._closed:
            raise InsightsError(f"{self.location}: the insights store is closed")
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                log.warning("insights: the connection to %s was lost; reconnecting", self.location)
                conn.close()
            conn = self._connect()
        return conn

    def _before_migrating(self, conn: psycopg.Connection[Any]) -> None:
        """Processes starting together take turns; the first creates the salt, all read it."""
        self._execute(conn, "SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        self._execute(
            conn,
            "CREATE TABLE IF NOT EXISTS insights_salt (id INTEGER PRIMARY KEY CHECK (id = 1), salt BYTEA NOT NULL)",
        )
        self._execute(
            conn,
            "INSERT INTO insights_salt (id, salt) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
            (secrets.token_bytes(32),),
        )
        salt = bytes(self._execute(conn, "SELECT salt FROM insights_salt WHERE id = 1").fetchone()[0])
        if len(salt) < 16:
            raise InsightsError(f"{self.location}: the salt in table insights_salt is damaged (too short)")
        self._salt = salt

    @contextmanager
    def _write_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            self._conn = conn = self._live(self._conn)
            with conn.transaction():
                yield conn

    @contextmanager
    def _read_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A read-only snapshot: every query of one /stats sees the same commits.

        A connection the server dropped while idle is only found out by using it: then
        it is replaced once, before anything was read, so /stats does not fail for it.
        """
        with self._read_lock, ExitStack() as stack:
            for attempt in (1, 2):
                self._reader = conn = self._live(self._reader)
                try:
                    stack.enter_context(conn.transaction())
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    break
                except psycopg.OperationalError:
                    stack.close()
                    if attempt == 2 or not conn.broken:
                        raise
            yield conn

    def _execute(self, conn: psycopg.Connection[Any], sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        # Always with a tuple: psycopg then reads %s placeholders (and %% as a literal %).
        return conn.execute(for_postgres(sql), tuple(params))  # type: ignore[call-overload]

    def _database_errors(self) -> tuple[type[BaseException], ...]:
        return (psycopg.Error,)

    def _after_erase(self, erased: int) -> None:
        """Rewrite the table so the erased text's old row versions leave its files."""
        if not erased:
            return
        conn = self._conn = self._live(self._conn)
        try:
            # It needs the table to itself: wait a while for other processes' reads, not forever.
            conn.execute("SET lock_timeout = '30s'")
            try:
                conn.execute("VACUUM FULL questions")
            finally:
                conn.execute("RESET lock_timeout")
        except psycopg.Error as exc:
            log.warning(
                "insights: question text erased, but VACUUM FULL failed (%s); old row versions stay until autovacuum reuses them",
                _one_line(exc),
            )

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._closed = True
            for conn in (self._reader, self._conn):
                if conn is not None:
                    conn.close()
            self._reader = self._conn = None
