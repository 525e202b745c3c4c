"""Faults met by attacking the log (issue 11, items 5-9 and 13): each reproduced, on both backends where it applies."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest

from bot.insights import InsightsError, InsightsRecorder, InsightsStore, QuestionRecord, compute_stats

USER = 271828182845904523


def question(answer_id: str, text: str = "When was Meng Wanzhou arrested?", **kw: object) -> QuestionRecord:
    return QuestionRecord(
        answer_id, "slash", True, user_id=USER, question=text, document_id="story", paragraphs=(5, 5), **kw  # type: ignore[arg-type]
    )


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- 5: erased question text is really erased -------------------------------------------


def test_erased_question_text_is_in_no_file_of_the_database(backend_config, disk_bytes) -> None:
    config = backend_config(log_question_text=True)
    store = InsightsStore.open(config)
    store.write([question(f"a{i}", text=f"Is Zebulon Quartermaine mentioned, take {i}?") for i in range(40)])
    assert b"Zebulon Quartermaine" in disk_bytes(config)  # the control: kept text is on disk
    store.reconfigure(log_question_text=False, retention_days=0)  # what /reload does
    assert store.query("SELECT count(*) FROM questions WHERE question IS NOT NULL") == [(0,)]
    # The bot is still running: every file as it is now (SQLite: the database, -wal, -shm).
    assert b"Zebulon" not in disk_bytes(config)
    assert store.query("SELECT count(*) FROM questions") == [(40,)]  # the rows stay, only the text went
    store.close()


# -- 6: the writer survives anything; the queue is bounded ------------------------------


def test_writer_survives_a_memory_error_in_a_batch(backend_config, caplog) -> None:
    store = InsightsStore.open(backend_config())
    real_write = store.write

    def write(records):
        if any(r.answer_id == "boom" for r in records):
            raise MemoryError("injected")
        return real_write(records)

    store.write = write  # type: ignore[method-assign]
    recorder = InsightsRecorder(store)
    recorder.record(question("boom"))
    assert recorder.flush(timeout=10)  # the thread lived to answer the flush
    assert recorder.failed == 1
    assert "dropping 1 record(s)" in caplog.text and "MemoryError" in caplog.text
    recorder.record(question("after"))
    assert recorder.flush(timeout=10)
    assert recorder.running
    assert store.query("SELECT answer_id FROM questions") == [("after",)]
    recorder.close()


def test_writer_survives_an_error_outside_the_write(insights_config, caplog) -> None:
    store = InsightsStore.open(insights_config(retention_days=30))

    def purge() -> int:
        raise RuntimeError("injected purge failure")

    store.purge = purge  # type: ignore[method-assign]
    recorder = InsightsRecorder(store, purge_seconds=0.0)
    recorder.record(question("q1"))
    assert recorder.flush(timeout=10)
    recorder.record(question("q2"))
    assert recorder.flush(timeout=10)
    assert "purge failed" in caplog.text
    assert store.query("SELECT count(*) FROM questions") == [(2,)]
    recorder.close()


def test_the_queue_is_bounded_and_drops_with_a_counted_warning(insights_config, caplog) -> None:
    store = InsightsStore.open(insights_config())
    real_write = store.write
    writing, release = threading.Event(), threading.Event()

    def slow(records):
        writing.set()
        release.wait(10)
        return real_write(records)

    store.write = slow  # type: ignore[method-assign]
    recorder = InsightsRecorder(store, max_queue=20)
    recorder.record(question("first"))
    assert writing.wait(5)  # the thread is stuck in a commit holding "first"
    for i in range(25):
        recorder.record(question(f"q{i}"))
    assert recorder.dropped == 5
    assert "the most the queue holds" in caplog.text
    assert sum("the most the queue holds" in r.getMessage() for r in caplog.records) == 1  # not once per record
    release.set()
    assert recorder.flush(timeout=10)
    assert store.query("SELECT count(*) FROM questions") == [(21,)]
    recorder.record(question("room-again"))  # drained: accepted again
    assert recorder.flush(timeout=10) and recorder.dropped == 5
    recorder.close()


# -- 7: a database locked at start-up is opened once it is free; reopen() ------------------


def test_a_database_locked_at_start_up_is_retried_in_the_background(insights_config, caplog) -> None:
    config = insights_config()
    InsightsStore.open(config).close()
    path = config.data_dir / "insights.sqlite3"
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    recorder = InsightsRecorder.opening(config, busy_timeout=0.1, retry_seconds=0.05)
    recorder.record(question("while-locked"))
    assert not recorder.flush(timeout=0.6)  # cannot be committed yet ...
    assert recorder.store is None
    assert recorder.error is not None and recorder.error.transient and "locked" in str(recorder.error)
    locker.execute("ROLLBACK")
    locker.close()
    assert recorder.flush(timeout=10)  # ... but insights did not turn off: opened, and nothing lost
    assert recorder.store is not None and recorder.error is None
    assert recorder.store.query("SELECT answer_id FROM questions") == [("while-locked",)]
    assert "retrying in the background" in caplog.text
    recorder.close()


def test_reopen_opens_a_log_that_could_not_be_opened(insights_config) -> None:
    config = insights_config()
    path = config.data_dir / "insights.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 200)
    recorder = InsightsRecorder.opening(config)
    assert wait_until(lambda: recorder.error is not None)
    assert not recorder.error.transient and "not a usable insights database" in str(recorder.error)
    with pytest.raises(InsightsError, match="insights.sqlite3: not a usable"):
        recorder.reopen()  # still broken: /reload can say so
    path.unlink()  # the operator fixes it ...
    store = recorder.reopen(insights_config(log_question_text=True))  # ... and runs /reload, with new settings
    assert store is recorder.store and store.log_question_text
    recorder.record(question("kept"))
    assert recorder.flush(timeout=10)
    assert store.query("SELECT answer_id, question FROM questions") == [("kept", "When was Meng Wanzhou arrested?")]
    recorder.close()


def test_reopen_commits_what_was_queued_first(backend_config) -> None:
    config = backend_config()
    recorder = InsightsRecorder(InsightsStore.open(config))
    for i in range(30):
        recorder.record(question(f"q{i}"))
    store = recorder.reopen(config)
    assert store.query("SELECT count(*) FROM questions") == [(30,)]
    recorder.close()


# -- 8: a deleted database file is noticed and recreated ---------------------------------


def test_a_deleted_database_file_is_recreated_and_no_row_goes_to_the_unlinked_file(insights_config, caplog) -> None:
    config = insights_config()
    path = config.data_dir / "insights.sqlite3"
    recorder = InsightsRecorder(InsightsStore.open(config))
    recorder.record(question("before"))
    assert recorder.flush(timeout=10)
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        (path.parent / name).unlink(missing_ok=True)  # an operator "wiping the log" under a running bot
    with pytest.raises(InsightsError, match="gone"):
        recorder.store.query("SELECT count(*) FROM questions")  # /stats says so instead of reading a ghost
    for i in range(5):
        recorder.record(question(f"after{i}"))
    assert recorder.flush(timeout=10)
    assert "was deleted or replaced" in caplog.text
    recorder.close()
    store = InsightsStore.open(config)  # as after a restart
    assert store.query("SELECT answer_id FROM questions ORDER BY answer_id") == [(f"after{i}",) for i in range(5)]
    store.close()


def test_a_replaced_database_file_is_noticed(insights_config) -> None:
    config = insights_config()
    path = config.data_dir / "insights.sqlite3"
    store = InsightsStore.open(config)
    store.record_question(question("old"))
    moved = path.with_name("moved.sqlite3")
    path.rename(moved)  # the file the store has open is now elsewhere
    store.record_question(question("new"))
    assert store.query("SELECT answer_id FROM questions") == [("new",)]
    store.close()


# -- 9: reads have their own connection; read errors say what is wrong ---------------------


def test_stats_do_not_wait_for_a_long_write_transaction(backend_config) -> None:
    store = InsightsStore.open(backend_config())
    store.record_question(question("committed"))
    inside, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with store._transaction() as conn:
            store._insert_question(conn, question("uncommitted"))
            inside.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert inside.wait(5)
        started = time.monotonic()
        stats = compute_stats(store)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        writer.join()
    assert elapsed < 1.0, f"/stats waited {elapsed:.1f} s for the writer"
    assert stats.retained.questions == 1  # the last commit, not the open transaction
    assert compute_stats(store).retained.questions == 2
    store.close()


def test_a_stats_read_error_is_an_insights_error_saying_what(backend_config) -> None:
    store = InsightsStore.open(backend_config())
    with store._transaction() as conn:
        store._execute(conn, "DROP TABLE feedback")
    with pytest.raises(InsightsError, match=r"cannot read the insights log \(.*feedback") as caught:
        compute_stats(store)
    assert store.location in str(caught.value)
    store.close()


# -- 13: an answer id clash is detected, not silently ignored ------------------------------


def test_an_answer_id_clash_is_detected_and_logged(backend_config, caplog) -> None:
    store = InsightsStore.open(backend_config(log_question_text=True))
    assert store.write([question("abcdef0123", text="first")]) == 1
    with caplog.at_level(logging.WARNING):
        assert store.write([question("abcdef0123", text="second"), question("other")]) == 1
    assert store.clashes == 1
    assert "answer id already in the log (abcdef0123)" in caplog.text
    assert store.query("SELECT question FROM questions WHERE answer_id = 'abcdef0123'") == [("first",)]
    store.close()
