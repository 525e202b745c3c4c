"""Configs whose log is fresh for every test: a SQLite file in a temporary data_dir, or
a new database on the test run's PostgreSQL server (`backend_config`, both in turn)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import pytest

from bot.config import Config, InsightsConfig
from bot.insights.store import database_location, is_postgres_url


@pytest.fixture
def insights_config(tmp_path: Path):
    def make(**settings: object) -> Config:
        config = Config()
        return dataclasses.replace(
            config,
            data_dir=tmp_path / "data",
            insights=dataclasses.replace(InsightsConfig(), **settings),  # type: ignore[arg-type]
        )

    return make


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def backend_config(backend: str, insights_config, request):
    """Like insights_config, with the log in the backend under test: every assertion holds for both."""
    if backend == "sqlite":
        return insights_config
    url = request.getfixturevalue("postgres_url")

    def make(**settings: object) -> Config:
        return insights_config(database=url, **settings)

    return make


@pytest.fixture
def disk_bytes(request) -> Callable[[Config], bytes]:
    """Every byte the log has on disk, as someone with the disk would read it.

    SQLite: the database file and its -wal and -shm files. PostgreSQL: the files of
    its tables, TOAST and indexes after a CHECKPOINT.
    """

    def read(config: Config) -> bytes:
        location = database_location(config)
        if is_postgres_url(location):
            server = request.getfixturevalue("postgres_server")
            return server.table_bytes(location, ("questions", "feedback"))
        path = Path(location)
        data = b""
        for name in (path.name, path.name + "-wal", path.name + "-shm"):
            if (path.parent / name).exists():
                data += (path.parent / name).read_bytes()
        return data

    return read


