"""Shared fixtures: paths to the bundled story and config, and a way to make small corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "corpus" / "huawei-5g-canada-china.md"
CONFIG = ROOT / "config.yaml"
SHARED = ROOT.parent / "shared"  # the team's shared folder next to the checkout


def shared_file(*parts: str) -> Path:
    """A file of ../shared the tests need: missing, it fails the test (it never quietly does less)."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the tests need the shared folder next to the checkout (../shared)")
    return path


def write_corpus(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """Write {name: text or bytes} into `tmp_path/corpus` (created if needed); returns the folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in files.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def make_corpus(tmp_path: Path):
    """Write {name: text} into a fresh corpus folder beside a config that points at it."""

    def make(files: dict[str, str | bytes], config: str = "") -> Path:
        write_corpus(tmp_path, files)
        config_path = tmp_path / "config.yaml"
        config_path.write_text(config or "corpus:\n  path: corpus\n", encoding="utf-8")
        return config_path

    return make


@pytest.fixture(autouse=True)
def _no_ambient_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DATABASE_URL in the developer's shell must not send the SQLite tests to PostgreSQL."""
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the whole run (see tests/pgserver.py); a failure, never a skip."""
    from tests.pgserver import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        pytest.fail(f"the PostgreSQL tests need a PostgreSQL server and none could be started: {problem}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the test server, as a postgresql:// URL."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)
