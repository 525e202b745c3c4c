"""The one schema of the insights log, for SQLite and PostgreSQL alike.

Written once, in the SQL both databases read; `for_postgres` is the whole of the
difference (SQLite's REAL is 8 bytes, PostgreSQL's is 4: unix times need
DOUBLE PRECISION there). Placeholders are SQLite's `?`; the PostgreSQL backend
turns them into psycopg's `%s`.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from typing import Iterator

SCHEMA_VERSION = 1

# Index = the version a script upgrades *to*. Never edit a released script; append one.
MIGRATIONS: dict[int, str] = {
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

TABLES = ("questions", "feedback")

_REAL = re.compile(r"\bREAL\b")


def statements(script: str) -> Iterator[str]:
    """Split a script into statements, run one by one inside our own transaction
    (sqlite3's executescript would COMMIT first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


@lru_cache(maxsize=256)
def for_postgres(sql: str) -> str:
    """The same statement for PostgreSQL: 8-byte floats, `%s` placeholders."""
    return _REAL.sub("DOUBLE PRECISION", sql).replace("%", "%%").replace("?", "%s")
