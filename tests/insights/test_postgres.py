"""The log in PostgreSQL: chosen by DATABASE_URL, shared by several bot processes, its salt in the database.

Against the real server the test run starts (tests/pgserver.py).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from bot.cli import main
from bot.config import Config, ConfigError, InsightsConfig, load_config
from bot.insights import FeedbackRecord, InsightsError, InsightsRecorder, InsightsStore, QuestionRecord, compute_stats
from bot.insights.backends.postgres import PostgresStore
from bot.insights.store import SALT_FILE, database_location

ROOT = Path(__file__).resolve().parents[2]
PER_PROCESS = 300

# One bot process: waits for "go" so both open the database (migration, salt) at the same moment.
BOT_PROCESS = textwrap.dedent(
    """
    import dataclasses, sys
    from pathlib import Path
    from bot.config import Config, InsightsConfig
    from bot.insights import FeedbackRecord, InsightsRecorder, QuestionRecord

    tag, first_user, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    config = dataclasses.replace(Config(), data_dir=Path(sys.argv[4]), insights=InsightsConfig(log_question_text=True))
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"
    recorder = InsightsRecorder.opening(config, batch=25)   # DATABASE_URL comes from the environment
    for i in range(n):
        user = first_user + i % 20
        recorder.record(QuestionRecord(f"{tag}-{i}", "slash", i % 4 != 0, user_id=user, question=f"{tag} asks {i}",
                                       document_id="story", paragraphs=(i % 7, i % 7)))
        if i % 3 == 0:
            recorder.record(FeedbackRecord(f"{tag}-{i}", i % 2 == 0, user_id=user, document_id="story",
                                           paragraphs=(i % 7, i % 7)))
    recorder.close()
    print(recorder.written, recorder.failed, recorder.dropped, flush=True)
    """
)


def test_two_bot_processes_share_one_database_and_stats_count_both(postgres_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=postgres_url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BOT_PROCESS, tag, str(first_user), str(PER_PROCESS), str(tmp_path / tag)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        )
        for tag, first_user in (("a", 0), ("b", 10))  # users 10-19 ask in both processes
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready", p.stderr.read()  # type: ignore[union-attr]
        for p in procs:
            p.stdin.write("go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    feedback_per_process = len(range(0, PER_PROCESS, 3))
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert out.split() == [str(PER_PROCESS + feedback_per_process), "0", "0"], err  # written, failed, dropped

    store = InsightsStore.open(dataclasses.replace(Config(), data_dir=tmp_path / "reader", insights=InsightsConfig(database=postgres_url)))
    stats = compute_stats(store)
    assert stats.retained.questions == 2 * PER_PROCESS
    assert stats.retained.answered == 2 * len([i for i in range(PER_PROCESS) if i % 4 != 0])
    # 30 people, not 40: both processes hashed users 10-19 with the one salt in the database.
    assert stats.retained.people == 30
    helpful = len([i for i in range(0, PER_PROCESS, 3) if i % 2 == 0])
    assert (stats.retained.helpful, stats.retained.not_helpful) == (2 * helpful, 2 * (feedback_per_process - helpful))
    assert store.query("SELECT count(*) FROM insights_salt") == [(1,)]
    assert store.schema_version == 1
    store.close()
    assert not (tmp_path / "a" / SALT_FILE).exists()  # the salt is not on the (wiped) disk


def test_database_url_wins_and_the_salt_lives_in_the_database(postgres_url: str, insights_config, monkeypatch) -> None:
    config = insights_config(database=str(Path("/nonexistent/insights.sqlite3")))
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    assert database_location(config) == postgres_url
    one = InsightsStore.open(config)
    assert isinstance(one, PostgresStore)
    assert not (config.data_dir / SALT_FILE).exists()
    other_machine = InsightsStore.open(dataclasses.replace(config, data_dir=Path("/nonexistent/elsewhere")))
    assert other_machine.hash_user(42) == one.hash_user(42)  # a new dyno, same people
    one.close()
    other_machine.close()


def test_another_database_is_another_install(postgres_server, postgres_url: str, insights_config) -> None:
    one = InsightsStore.open(insights_config(database=postgres_url))
    other_url = postgres_server.create_database()
    other = InsightsStore.open(insights_config(database=other_url))
    assert one.hash_user(42) != other.hash_user(42)
    one.close()
    other.close()


def test_postgres_scheme_as_heroku_spells_it(postgres_url: str, insights_config) -> None:
    url = "postgres://" + postgres_url.split("://", 1)[1]
    store = InsightsStore.open(insights_config(database=url))
    store.record_question(QuestionRecord("a1", "cli", False))
    assert store.query("SELECT answer_id, answered FROM questions") == [("a1", 0)]
    store.close()


def test_a_dropped_connection_is_reconnected_and_nothing_is_lost(postgres_url: str, insights_config, caplog) -> None:
    store = InsightsStore.open(insights_config(database=postgres_url))
    recorder = InsightsRecorder(store)
    recorder.record(QuestionRecord("before", "slash", True))
    assert recorder.flush(timeout=10)
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # the host restarts or recycles connections
        killed = admin.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()) t"
        ).fetchone()[0]
    assert killed >= 1
    for i in range(10):
        recorder.record(QuestionRecord(f"after{i}", "slash", True))
    assert recorder.flush(timeout=20)
    assert recorder.failed == 0
    assert store.query("SELECT count(*) FROM questions") == [(11,)]
    assert "reconnecting" in caplog.text
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # and now the reading connection too
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert compute_stats(store).retained.questions == 11  # /stats does not fail for it
    recorder.close()


def test_cli_stats_reads_postgresql(postgres_url: str, tmp_path: Path, monkeypatch) -> None:
    config_path = tmp_path / "config.yaml"
    config_path.write_text("data_dir: data\ninsights:\n  log_question_text: true\n")
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    store = InsightsStore.open(load_config(config_path))
    now = time.time()
    store.write(
        [
            QuestionRecord("a", "slash", True, user_id=1, document_id="story", paragraphs=(3, 3), asked_at=now - 10),
            QuestionRecord("b", "dm", False, user_id=2, question="Who is Zebulon?", asked_at=now - 5),
            FeedbackRecord("a", True, user_id=1, document_id="story", paragraphs=(3, 3)),
        ]
    )
    store.close()

    out = io.StringIO()
    assert main(["stats", "--config", str(config_path)], out=out) == 0
    text = out.getvalue()
    port = postgres_url.split(":")[2].split("/")[0]
    assert f"Insights from postgresql://insights_test@127.0.0.1:{port}/t_" in text
    assert "Today (UTC):   2 question(s) from 2 person(s): 1 answered (50%), 1 abstained; feedback 1 helpful" in text
    assert "story ¶3" in text and "Who is Zebulon?" in text
    out = io.StringIO()
    assert main(["stats", "--json", "--config", str(config_path)], out=out) == 0
    assert json.loads(out.getvalue())["retained"]["questions"] == 2
    assert not (tmp_path / "data").exists()  # nothing written to the local disk


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path, monkeypatch, capsys) -> None:
    from tests.pgserver import free_port

    config_path = tmp_path / "config.yaml"
    config_path.write_text("insights:\n  enabled: true\n")
    port = free_port()  # nothing listens there
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bot:s3cret-pw@127.0.0.1:{port}/insights")
    assert main(["stats", "--config", str(config_path)], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert f"postgresql://bot@127.0.0.1:{port}/insights: cannot connect" in err
    assert "s3cret-pw" not in err


def test_an_unreachable_server_at_start_up_is_retried(postgres_server, insights_config) -> None:
    url = postgres_server.url("not_created_yet")
    recorder = InsightsRecorder.opening(insights_config(database=url), retry_seconds=0.05)
    recorder.record(QuestionRecord("early", "slash", True))
    assert not recorder.flush(timeout=0.5)
    assert recorder.error is not None and recorder.error.transient and "not_created_yet" in str(recorder.error)
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute('CREATE DATABASE "not_created_yet"')  # the add-on finishes provisioning
    assert recorder.flush(timeout=15)
    assert recorder.store is not None
    assert recorder.store.query("SELECT answer_id FROM questions") == [("early",)]
    recorder.close()
    postgres_server.drop_database(url)


def test_only_postgresql_urls_are_accepted(tmp_path: Path, insights_config, monkeypatch) -> None:
    (tmp_path / "config.yaml").write_text("insights:\n  database: postgresql://bot@db.example:5433/insights\n")
    config = load_config(tmp_path / "config.yaml")
    assert config.insights.database == "postgresql://bot@db.example:5433/insights"  # not resolved as a path
    assert database_location(config, environ={}) == "postgresql://bot@db.example:5433/insights"
    (tmp_path / "config.yaml").write_text("insights:\n  database: mysql://bot@db/insights\n")
    with pytest.raises(ConfigError, match=r"config\.yaml: 'insights\.database' must be a file path or a postgresql:// URL"):
        load_config(tmp_path / "config.yaml")
    monkeypatch.setenv("DATABASE_URL", "mysql://bot:pw@db/insights")
    with pytest.raises(InsightsError, match="DATABASE_URL: only PostgreSQL") as caught:
        InsightsStore.open(insights_config())
    assert "pw" not in str(caught.value)
