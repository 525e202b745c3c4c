"""The log keeps what it should, forgets what it must, and never holds a raw user id."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from bot.config import load_config
from bot.insights import FeedbackRecord, InsightsError, InsightsRecorder, InsightsStore, QuestionRecord
from bot.insights.backends.sqlite import SQLiteStore
from bot.insights.store import SALT_FILE, SCHEMA_VERSION, database_path

DAY = 86_400
USER = 271828182845904523  # a Discord-sized snowflake


def question(answer_id: str, answered: bool = True, **kw: object) -> QuestionRecord:
    defaults: dict[str, object] = dict(
        surface="slash",
        user_id=USER,
        question="When was Meng Wanzhou arrested?",
        document_id="story" if answered else None,
        paragraphs=(5, 5) if answered else None,
        part=1 if answered else None,
        score=4.2 if answered else None,
        coverage=0.9,
    )
    defaults.update(kw)
    return QuestionRecord(answer_id=answer_id, answered=answered, **defaults)  # type: ignore[arg-type]


def test_rows_survive_closing_and_reopening(backend_config) -> None:
    config = backend_config()
    store = InsightsStore.open(config)
    store.record_question(question("a1"))
    store.record_question(question("a2", answered=False))
    store.record_feedback(FeedbackRecord("a1", helpful=True, user_id=USER))
    store.close()

    reopened = InsightsStore.open(config)
    rows = reopened.query("SELECT answer_id, answered, document_id, first_paragraph, surface FROM questions ORDER BY answer_id")
    assert rows == [("a1", 1, "story", 5, "slash"), ("a2", 0, None, None, "slash")]
    assert reopened.query("SELECT answer_id, helpful FROM feedback") == [("a1", 1)]
    assert reopened.schema_version == SCHEMA_VERSION
    reopened.close()


def test_database_defaults_to_data_dir_and_uses_wal(insights_config) -> None:
    config = insights_config()
    store = InsightsStore.open(config)
    assert store.path == config.data_dir / "insights.sqlite3"
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    store.close()


def test_config_resolves_database_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("insights:\n  database: logs/q.sqlite3\n  retention_days: 7\n")
    config = load_config(tmp_path / "config.yaml")
    assert database_path(config) == tmp_path / "logs" / "q.sqlite3"
    assert config.insights.retention_days == 7
    default = load_config(_write(tmp_path / "other", "data_dir: state\n"))
    assert database_path(default) == tmp_path / "other" / "state" / "insights.sqlite3"


def _write(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "config.yaml").write_text(text)
    return folder / "config.yaml"


def test_bad_insights_settings_name_the_key(tmp_path: Path) -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="insights.retention_days"):
        load_config(_write(tmp_path / "a", "insights:\n  retention_days: -1\n"))
    with pytest.raises(ConfigError, match="insights.log_question_text"):
        load_config(_write(tmp_path / "b", "insights:\n  log_question_text: maybe\n"))


def test_raw_user_id_is_never_stored(backend_config, disk_bytes) -> None:
    config = backend_config(log_question_text=True)
    store = InsightsStore.open(config)
    store.record_question(question("a1"))
    store.record_feedback(FeedbackRecord("a1", helpful=False, user_id=USER))
    stored = store.query("SELECT user_hash FROM questions")[0][0]
    store.close()
    assert stored and str(USER) not in stored
    assert str(USER).encode() not in disk_bytes(config)
    # Same person, same hash (so feedback can be changed and people counted) ...
    again = InsightsStore.open(config)
    assert again.hash_user(USER) == stored
    assert again.hash_user(USER + 1) != stored
    again.close()


def test_hash_depends_on_the_per_install_salt(insights_config, tmp_path: Path) -> None:
    one = InsightsStore.open(insights_config())
    salt_file = tmp_path / "data" / SALT_FILE
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    first = one.hash_user(USER)
    salt = salt_file.read_bytes()
    one.close()
    InsightsStore.open(insights_config()).close()
    assert salt_file.read_bytes() == salt  # created once, never rewritten
    other_install = SQLiteStore(tmp_path / "x.sqlite3", os.urandom(32))
    assert other_install.hash_user(USER) != first
    other_install.close()


def test_question_text_absent_unless_enabled(backend_config, disk_bytes) -> None:
    config = backend_config(log_question_text=False)
    store = InsightsStore.open(config)
    store.record_question(question("a1", question="Is Zebulon Quartermaine mentioned?"))
    assert store.query("SELECT question FROM questions") == [(None,)]
    store.close()
    assert b"Zebulon" not in disk_bytes(config)

    enabled = InsightsStore.open(backend_config(log_question_text=True))
    enabled.record_question(question("a2", question="Is Zebulon Quartermaine mentioned?"))
    assert enabled.query("SELECT question FROM questions WHERE answer_id = 'a2'") == [
        ("Is Zebulon Quartermaine mentioned?",)
    ]
    enabled.close()


def test_turning_question_text_off_erases_what_was_kept(backend_config) -> None:
    store = InsightsStore.open(backend_config(log_question_text=True))
    store.record_question(question("a1", question="secret question text"))
    store.close()
    store = InsightsStore.open(backend_config(log_question_text=False))
    assert store.query("SELECT answer_id, question FROM questions") == [("a1", None)]
    store.close()


def test_retention_deletes_old_rows(backend_config) -> None:
    now = time.time()
    store = InsightsStore.open(backend_config(retention_days=30), clock=lambda: now)
    store.write(
        [
            question("old", asked_at=now - 31 * DAY),
            question("recent", asked_at=now - 29 * DAY),
            FeedbackRecord("old", helpful=True, user_id=1, given_at=now - 40 * DAY),
            FeedbackRecord("recent", helpful=False, user_id=1, given_at=now - DAY),
        ]
    )
    assert store.purge() == 2
    assert store.query("SELECT answer_id FROM questions") == [("recent",)]
    assert store.query("SELECT answer_id FROM feedback") == [("recent",)]
    store.close()


def test_retention_applies_when_the_store_opens(backend_config) -> None:
    now = time.time()
    store = InsightsStore.open(backend_config(retention_days=0))
    store.record_question(question("ancient", asked_at=now - 400 * DAY))
    store.close()
    assert InsightsStore.open(backend_config(retention_days=0)).query("SELECT count(*) FROM questions") == [(1,)]
    store = InsightsStore.open(backend_config(retention_days=365))
    assert store.query("SELECT count(*) FROM questions") == [(0,)]
    store.close()


def test_feedback_is_one_vote_per_person_and_can_change(backend_config) -> None:
    store = InsightsStore.open(backend_config())
    store.record_feedback(FeedbackRecord("a1", helpful=True, user_id=1))
    store.record_feedback(FeedbackRecord("a1", helpful=False, user_id=1, match_rank=1, document_id="d", paragraphs=(3, 3)))
    store.record_feedback(FeedbackRecord("a1", helpful=True, user_id=2))
    rows = store.query("SELECT helpful, match_rank, first_paragraph FROM feedback ORDER BY helpful")
    assert rows == [(0, 1, 3), (1, 0, None)]
    store.close()


def test_a_failed_batch_commits_nothing(backend_config) -> None:
    store = InsightsStore.open(backend_config())
    with pytest.raises(TypeError):
        store.write([question("a1"), "not a record"])  # type: ignore[list-item]
    assert store.query("SELECT count(*) FROM questions") == [(0,)]
    store.close()


def test_unknown_surface_is_refused_before_it_reaches_a_batch() -> None:
    with pytest.raises(ValueError, match="surface"):
        question("a1", surface="carrier-pigeon")


def test_newer_schema_is_refused_with_the_database_named(backend_config, backend) -> None:
    config = backend_config()
    store = InsightsStore.open(config)
    with store._transaction() as conn:
        store._execute(conn, "UPDATE schema_version SET version = 99")
    store.close()
    where = r"insights\.sqlite3" if backend == "sqlite" else r"postgresql://insights_test@127\.0\.0\.1:\d+/t_"
    with pytest.raises(InsightsError, match=where + ".*newer version"):
        InsightsStore.open(config)


def test_a_file_that_is_not_a_database_is_named(insights_config) -> None:
    config = insights_config()
    config.data_dir.mkdir(parents=True)
    (config.data_dir / "insights.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InsightsError, match="insights.sqlite3"):
        InsightsStore.open(config)


def test_recorder_returns_at_once_while_the_disk_is_slow(backend_config) -> None:
    store = InsightsStore.open(backend_config())
    real_write = store.write

    def slow_write(records):  # a disk that takes half a second per commit
        time.sleep(0.5)
        return real_write(records)

    store.write = slow_write  # type: ignore[method-assign]
    recorder = InsightsRecorder(store)
    started = time.perf_counter()
    for i in range(200):
        recorder.record(question(f"q{i}"))
    queued = time.perf_counter() - started
    assert queued < 0.25  # 200 records queued faster than a single commit
    assert recorder.flush(timeout=10)
    assert store.query("SELECT count(*) FROM questions") == [(200,)]
    recorder.close()


def test_recorder_close_commits_what_was_queued(backend_config) -> None:
    config = backend_config()
    recorder = InsightsRecorder(InsightsStore.open(config))
    for i in range(50):
        recorder.record(question(f"q{i}"))
    recorder.close()
    recorder.record(question("late"))  # dropped with a warning, not an exception
    store = InsightsStore.open(config)
    assert store.query("SELECT count(*) FROM questions") == [(50,)]
    store.close()


def test_recorder_survives_a_broken_disk(insights_config, caplog) -> None:
    store = InsightsStore.open(insights_config())
    calls = []

    def broken(records):
        calls.append(len(records))
        raise sqlite3.OperationalError("disk I/O error")

    store.write = broken  # type: ignore[method-assign]
    recorder = InsightsRecorder(store)
    recorder.record(question("q1"))
    assert recorder.flush(timeout=10)
    assert recorder.failed == 1 and len(calls) == 3  # retried, then dropped and logged
    assert "dropping 1 record" in caplog.text
    recorder.record(question("q2"))  # still accepting work
    assert recorder.flush(timeout=10)
    recorder.close()


def test_recorder_thread_ends_when_idle_and_comes_back_for_new_work(insights_config) -> None:
    store = InsightsStore.open(insights_config())
    recorder = InsightsRecorder(store, idle_seconds=0.05)
    assert not recorder.running  # no thread until there is something to write
    recorder.record(question("q1"))
    assert recorder.flush(timeout=10)
    deadline = time.monotonic() + 5
    while recorder.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not recorder.running
    recorder.record(question("q2"))
    assert recorder.flush(timeout=10)
    assert store.query("SELECT count(*) FROM questions") == [(2,)]
    recorder.close()
