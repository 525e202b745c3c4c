"""The operator's numbers: counted over the right windows, private unless text logging is on."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.cli import main
from bot.insights import FeedbackRecord, InsightsStore, QuestionRecord, compute_stats, format_stats

DAY = 86_400
# A fixed "now": 2024-03-10 15:00 UTC, so "today" starts at 2024-03-10 00:00 UTC.
NOW = datetime(2024, 3, 10, 15, 0, tzinfo=timezone.utc).timestamp()
MIDNIGHT = datetime(2024, 3, 10, tzinfo=timezone.utc).timestamp()


def q(aid: str, at: float, answered: bool = True, para: int = 5, user: int = 1, text: str | None = None) -> QuestionRecord:
    return QuestionRecord(
        aid,
        "slash",
        answered,
        user_id=user,
        question=text or f"question {aid}",
        document_id="story" if answered else None,
        paragraphs=(para, para) if answered else None,
        part=1 if answered else None,
        score=3.0 if answered else None,
        asked_at=at,
    )


def populated(config) -> InsightsStore:
    store = InsightsStore.open(config, clock=lambda: NOW)
    store.write(
        [
            q("t1", NOW - 60, para=5, user=1),  # today
            q("t2", MIDNIGHT + 1, para=5, user=2),  # today, just after midnight
            q("t3", NOW - 120, answered=False, user=3, text="What is the capital of Peru?"),  # today, abstained
            q("y1", MIDNIGHT - 1, para=7, user=1),  # yesterday, 23:59:59
            q("w1", NOW - 6 * DAY, para=5, user=4),  # this week
            q("o1", NOW - 8 * DAY, answered=False, user=5, text="Who won the 2019 election?"),  # older than a week
            FeedbackRecord("t1", True, user_id=9, document_id="story", paragraphs=(5, 5), given_at=NOW - 30),
            FeedbackRecord("y1", False, user_id=9, document_id="story", paragraphs=(7, 7), given_at=NOW - 10),
            FeedbackRecord("w1", False, user_id=8, document_id="story", paragraphs=(5, 5), given_at=NOW - 5 * DAY),
        ]
    )
    return store


def test_counts_today_week_and_everything_kept(insights_config) -> None:
    store = populated(insights_config(log_question_text=True))
    stats = compute_stats(store)
    assert (stats.today.questions, stats.today.answered, stats.today.abstained, stats.today.people) == (3, 2, 1, 3)
    assert (stats.today.helpful, stats.today.not_helpful) == (1, 1)
    assert (stats.last_7_days.questions, stats.last_7_days.answered, stats.last_7_days.abstained) == (5, 4, 1)
    assert (stats.last_7_days.helpful, stats.last_7_days.not_helpful) == (1, 2)
    assert stats.retained.questions == 6 and stats.retained.people == 5
    assert stats.oldest == datetime.fromtimestamp(NOW - 8 * DAY, tz=timezone.utc)
    store.close()


def test_most_asked_paragraphs_first_with_their_feedback(insights_config) -> None:
    store = populated(insights_config())
    top = compute_stats(store).top_paragraphs
    assert [(p.document_id, p.paragraphs, p.questions) for p in top] == [("story", (5, 5), 3), ("story", (7, 7), 1)]
    assert (top[0].helpful, top[0].not_helpful) == (1, 1)
    assert (top[1].helpful, top[1].not_helpful) == (0, 1)
    store.close()


def test_recent_unanswered_and_not_helpful_when_text_is_logged(insights_config) -> None:
    store = populated(insights_config(log_question_text=True))
    stats = compute_stats(store)
    assert stats.question_text_logged
    assert [x.question for x in stats.recent_unanswered] == ["What is the capital of Peru?", "Who won the 2019 election?"]
    assert [x.question for x in stats.recent_not_helpful] == ["question y1", "question w1"]
    assert stats.recent_not_helpful[0].paragraphs == (7, 7)
    text = format_stats(stats, {"story": "The Story"})
    assert "What is the capital of Peru?" in text and "“The Story” ¶5" in text
    store.close()


def test_no_question_text_anywhere_when_logging_is_off(insights_config) -> None:
    store = populated(insights_config(log_question_text=False))
    stats = compute_stats(store)
    assert not stats.question_text_logged
    assert stats.recent_unanswered == () and stats.recent_not_helpful == ()
    text = format_stats(stats)
    assert "Peru" not in text and "question y1" not in text
    assert "log_question_text" in text  # tells the operator how to see them
    store.close()


def test_expired_rows_are_not_counted_even_before_the_purge(insights_config) -> None:
    store = populated(insights_config(retention_days=0))
    assert compute_stats(store).retained.questions == 6
    store._clock = lambda: NOW  # same data, now with a 7-day retention but no purge yet
    store.retention_days = 7
    stats = compute_stats(store)
    assert stats.retained.questions == 5
    assert store.query("SELECT count(*) FROM questions") == [(6,)]
    store.close()


def test_empty_log(insights_config) -> None:
    store = InsightsStore.open(insights_config())
    stats = compute_stats(store)
    assert stats.today.questions == 0 and stats.oldest is None and stats.top_paragraphs == ()
    assert "(none yet)" in format_stats(stats)
    store.close()


def _config_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("data_dir: data\ninsights:\n  log_question_text: true\n" + extra)
    return path


def test_cli_stats_prints_the_same_numbers(tmp_path: Path) -> None:
    from bot.config import load_config

    config_path = _config_file(tmp_path)
    store = InsightsStore.open(load_config(config_path))
    now = time.time()
    store.write([q("a", now - 10, para=3), q("b", now - 5, answered=False, text="Who is Zebulon?")])
    store.record_feedback(FeedbackRecord("a", True, user_id=1, document_id="story", paragraphs=(3, 3)))
    store.close()

    out = io.StringIO()
    assert main(["stats", "--config", str(config_path)], out=out) == 0
    text = out.getvalue()
    assert "Today (UTC):   2 question(s)" in text
    assert "1 answered (50%), 1 abstained; feedback 1 helpful, 0 not helpful" in text
    assert "story ¶3" in text and "Who is Zebulon?" in text

    out = io.StringIO()
    assert main(["stats", "--json", "--config", str(config_path)], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["today"]["questions"] == 2 and data["recent_unanswered"][0]["question"] == "Who is Zebulon?"


def test_cli_stats_without_a_database_says_so(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["stats", "--config", str(_config_file(tmp_path))], out=out) == 0
    assert "No questions recorded yet" in out.getvalue()
    assert not (tmp_path / "data" / "insights.sqlite3").exists()  # looking does not create it


def test_cli_stats_names_a_broken_database(tmp_path: Path, capsys) -> None:
    config_path = _config_file(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "insights.sqlite3").write_bytes(b"garbage" * 500)
    assert main(["stats", "--config", str(config_path)], out=io.StringIO()) == 1
    assert "insights.sqlite3" in capsys.readouterr().err
