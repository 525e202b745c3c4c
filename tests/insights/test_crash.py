"""Killing the bot mid-write (kill -9) loses nothing that was committed and leaves no half batch,
whether the log is a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.config import Config, InsightsConfig
from bot.insights import InsightsStore

ROOT = Path(__file__).resolve().parents[2]
BATCH = 50

WRITER = textwrap.dedent(
    """
    import dataclasses, sys
    from pathlib import Path
    from bot.config import Config, InsightsConfig
    from bot.insights import InsightsRecorder, InsightsStore, QuestionRecord

    data_dir, mode, batch = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    config = dataclasses.replace(Config(), data_dir=data_dir, insights=InsightsConfig(log_question_text=True))
    store = InsightsStore.open(config)
    recorder = InsightsRecorder(store) if mode == "recorder" else None
    n = 0
    while True:
        records = [
            QuestionRecord(f"b{n}-{i}", "slash", i % 3 != 0, user_id=n, question="x" * 200, document_id="d",
                           paragraphs=(i, i))
            for i in range(batch)
        ]
        if recorder is None:
            store.write(records)           # returns after COMMIT
        else:
            for r in records:
                recorder.record(r)
            assert recorder.flush(30)       # returns after COMMIT
        print(n, flush=True)                # only now is batch n reported as committed
        n += 1
    """
)


@pytest.mark.parametrize("mode", ["store", "recorder"])
def test_kill_minus_nine_mid_stream_keeps_every_committed_row(tmp_path: Path, mode: str, backend: str, request) -> None:
    data_dir = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if backend == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")  # how a Procfile platform says it
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), mode, str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    reported: list[int] = []
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        while len(reported) < 20 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            reported.append(int(line))
        assert len(reported) >= 20, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)  # the writer is busy with its next batch
        proc.wait(10)
        reported += [int(line) for line in proc.stdout.read().split()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    if backend == "sqlite":
        path = data_dir / "insights.sqlite3"
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
    database = env.get("DATABASE_URL")
    config = Config(data_dir=data_dir, insights=InsightsConfig(log_question_text=True, database=database))
    store = InsightsStore.open(config)  # opens cleanly after the crash
    ids = {row[0] for row in store.query("SELECT answer_id FROM questions")}
    for n in reported:
        assert {f"b{n}-{i}" for i in range(BATCH)} <= ids, f"committed batch {n} lost"
    # Whole batches only: a transaction cut short by the kill left nothing behind.
    assert len(ids) % BATCH == 0
    assert len(ids) // BATCH in (len(reported), len(reported) + 1)
    store.close()
