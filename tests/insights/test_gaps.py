"""What the story is missing: declined questions and "not helpful" answers, grouped by the terms they share.

A seeded log (the terms as the bot's analysis hands them: a stem, the word as written,
its weight in the story), read back through compute_stats, format_stats and the CLI.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from bot.insights import FeedbackRecord, GapTerm, InsightsRecorder, InsightsStore, QuestionRecord, compute_stats, format_stats
from bot.insights.gaps import _Entry, group
from bot.insights.schema import MIGRATIONS, statements

from ..conftest import ROOT

NOW = 1_710_082_800.0  # 2024-03-10 15:00 UTC
DAY = 86_400

# Weights as the engine gives them on the bundled story: a word it never uses weighs 3.26,
# "huawei" (in most paragraphs) 0.69.
W = {"nokia": 3.26, "sell": 2.16, "5g": 1.65, "gear": 3.26, "huawei": 0.69, "contract": 3.26, "canada": 0.9,
     "phone": 3.26, "revenu": 3.26, "last": 3.26, "year": 1.31, "meng": 1.65, "wanzhou": 2.16, "live": 3.26,
     "husband": 3.26, "zte": 1.2}
WORDS = {"contract": "contracts", "phone": "phones", "revenu": "revenue"}


def terms(*names: str) -> tuple[GapTerm, ...]:
    return tuple(GapTerm(n, WORDS.get(n, n), W[n]) for n in names)


def asked(aid: str, minutes_ago: float, user: int, text: str, *names: str, answered: bool = False) -> QuestionRecord:
    return QuestionRecord(
        aid,
        "slash",
        answered,
        user_id=user,
        question=text,
        document_id="story" if answered else None,
        paragraphs=(5, 5) if answered else None,
        asked_at=NOW - minutes_ago * 60,
        terms=terms(*names),
    )


def vote(aid: str, helpful: bool, user: int, minutes_ago: float, *names: str) -> FeedbackRecord:
    return FeedbackRecord(aid, helpful, user_id=user, document_id="story", paragraphs=(5, 5),
                          given_at=NOW - minutes_ago * 60, terms=terms(*names))


DECLINED = [
    asked("d1", 70, 1, "Does Nokia sell 5G gear?", "nokia", "sell", "5g", "gear"),
    asked("d2", 60, 2, "What did Nokia say about Huawei's contracts?", "nokia", "huawei", "contract"),
    asked("d3", 50, 3, "Did Nokia win contracts in Canada?", "nokia", "contract", "canada"),
    asked("d4", 40, 4, "How many phones did Huawei sell?", "phone", "huawei", "sell"),
    asked("d5", 30, 5, "Does Huawei make phones? @everyone", "huawei", "phone"),
    asked("d6", 20, 6, "What is Huawei's revenue?", "huawei", "revenu"),
    asked("d7", 10, 6, "Huawei revenue last year?", "huawei", "revenu", "last", "year"),  # the same person again
]
ANSWERED = [
    asked("a1", 65, 7, "Where does Meng Wanzhou live?", "meng", "wanzhou", "live", answered=True),
    asked("a2", 15, 8, "Who is Meng's husband?", "meng", "husband", answered=True),
    asked("a3", 12, 1, "Who makes 5G gear for ZTE?", "zte", "5g", "gear", answered=True),  # voted helpful
    asked("a4", 11, 2, "Does ZTE sell gear?", "zte", "sell", "gear", answered=True),  # not helpful, then helpful
    asked("a5", 5, 3, "Is ZTE in Canada?", "zte", "canada", answered=True),  # no vote
]
VOTES = [
    vote("a1", False, 7, 64, "meng", "wanzhou", "live"),
    vote("a2", False, 9, 14, "meng", "husband"),  # someone else found the answer unhelpful
    vote("a3", True, 1, 11, "zte", "5g", "gear"),
    vote("a4", False, 2, 10, "zte", "sell", "gear"),
    vote("a4", True, 2, 9, "zte", "sell", "gear"),  # changed their mind
    vote("d4", True, 4, 39),  # a vote on a declined question changes nothing
]


def seeded(config) -> InsightsStore:
    store = InsightsStore.open(config, clock=lambda: NOW)
    store.write(DECLINED + ANSWERED)
    store.write(VOTES)
    return store


def labels(stats) -> list[tuple[str, int]]:
    return [(g.label, g.questions) for g in stats.gaps.groups]


def test_groups_largest_first_with_an_example_each_when_text_is_kept(backend_config) -> None:
    store = seeded(backend_config(log_question_text=True))
    gaps = compute_stats(store).gaps
    assert [(g.label, g.questions) for g in gaps.groups] == [
        ("nokia + contracts", 3),
        ("phones + huawei", 2),
        ("revenue + huawei", 2),  # one person asked both: shown only because question text is kept
        ("meng", 2),
    ]
    nokia, phones, revenue, meng = gaps.groups
    assert nokia.terms == ("nokia", "contract") and nokia.people == 3
    assert nokia.example == "Did Nokia win contracts in Canada?"  # the latest of the group
    assert revenue.people == 1 and revenue.example == "Huawei revenue last year?"
    assert (meng.declined, meng.not_helpful, meng.example) == (0, 2, "Who is Meng's husband?")
    assert (gaps.declined, gaps.not_helpful, gaps.questions, gaps.not_shown) == (7, 2, 9, 0)
    store.close()


def test_a_term_the_whole_story_is_about_does_not_swallow_the_rest(backend_config) -> None:
    # "huawei" is in five of the gaps, "nokia" in three; Huawei is what the story is about.
    store = seeded(backend_config(log_question_text=True))
    groups = compute_stats(store).gaps.groups
    assert groups[0].terms[0] == "nokia"
    assert all(g.terms[0] != "huawei" for g in groups)
    store.close()


def test_without_question_text_terms_only_and_only_what_two_people_asked(backend_config) -> None:
    store = seeded(backend_config(log_question_text=False))
    stats = compute_stats(store)
    assert labels(stats) == [("nokia + contracts", 3), ("phones + huawei", 2), ("meng", 2)]
    assert all(g.example is None and g.people >= 2 for g in stats.gaps.groups)
    assert stats.gaps.not_shown == 2  # the revenue questions: one person
    text = format_stats(stats)
    assert "nokia + contracts" in text and "revenue" not in text
    assert "Nokia" not in text and "e.g." not in text  # no question's text, in any case
    assert "two or more people" in text
    store.close()


def test_an_extra_term_needs_two_people_too_when_text_is_not_kept() -> None:
    def entry(aid: str, asker: str, *names: str) -> _Entry:
        return _Entry(aid, asker, True, 0.0, f"question {aid}", {n: GapTerm(n, n, 1.0) for n in names})

    entries = [entry("1", "u1", "x", "secret"), entry("2", "u1", "x", "secret"), entry("3", "u2", "x")]
    assert [g.terms for g in group(entries, min_people=2, examples=False, limit=5)] == [("x",)]
    assert [g.terms for g in group(entries, min_people=1, examples=True, limit=5)] == [("x", "secret")]
    assert group(entries[:2], min_people=2, examples=False, limit=5) == ()  # one person alone: nothing


def test_only_declined_questions_and_unhelpful_answers_keep_terms(backend_config) -> None:
    store = seeded(backend_config())
    kept = {aid for (aid,) in store.query("SELECT DISTINCT answer_id FROM gap_terms")}
    # a3 was helpful, a4's "not helpful" became "helpful", a5 got no vote.
    assert kept == {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "a1", "a2"}
    assert store.query("SELECT word FROM gap_terms WHERE answer_id = 'd4' AND term = 'phone'") == [("phones",)]
    store.close()


def test_the_recorder_hands_an_answers_terms_to_a_later_not_helpful_vote(backend_config) -> None:
    store = InsightsStore.open(backend_config(), clock=lambda: NOW)
    recorder = InsightsRecorder(store)
    recorder.record(asked("q1", 3, 1, "Who is Meng's husband?", "meng", "husband", answered=True))
    recorder.record(asked("q2", 2, 2, "Where does Meng live?", "meng", "live", answered=True))
    recorder.record(asked("q3", 1, 3, "Meng's age?", "meng", answered=True))
    recorder.record(FeedbackRecord("q1", False, user_id=1))  # the button knows no terms
    recorder.record(FeedbackRecord("q2", True, user_id=2))
    assert recorder.flush(timeout=10)
    assert store.query("SELECT answer_id, term FROM gap_terms ORDER BY term") == [("q1", "husband"), ("q1", "meng")]
    recorder.close()


def test_turning_question_text_off_erases_the_examples(backend_config) -> None:
    store = seeded(backend_config(log_question_text=True))
    assert compute_stats(store).gaps.groups[0].example is not None
    store.reconfigure(log_question_text=False, retention_days=0)
    assert store.query("SELECT count(*) FROM questions WHERE question IS NOT NULL") == [(0,)]
    stats = compute_stats(store)
    assert labels(stats) == [("nokia + contracts", 3), ("phones + huawei", 2), ("meng", 2)]
    assert all(g.example is None for g in stats.gaps.groups)
    store.reconfigure(log_question_text=True, retention_days=0)  # turned on again: what was erased stays erased
    assert all(g.example is None for g in compute_stats(store).gaps.groups)
    store.close()


def test_gap_terms_follow_the_retention(backend_config) -> None:
    store = InsightsStore.open(backend_config(retention_days=7), clock=lambda: NOW)
    store.write([
        asked("old1", 8 * 24 * 60, 1, "Does Nokia sell phones?", "nokia", "phone"),
        asked("old2", 8 * 24 * 60, 2, "Nokia phones?", "nokia", "phone"),
        asked("new1", 60, 3, "Is Nokia in Canada?", "nokia", "canada"),
        asked("new2", 30, 4, "Does Nokia sell gear?", "nokia", "sell", "gear"),
    ])
    store.retention_days = 7
    assert labels(compute_stats(store)) == [("nokia", 2)]  # expired rows never count, before the purge too
    store.purge()
    assert {aid for (aid,) in store.query("SELECT DISTINCT answer_id FROM gap_terms")} == {"new1", "new2"}
    store.close()


def test_an_older_database_is_upgraded_and_keeps_its_rows(insights_config) -> None:
    config = insights_config(log_question_text=True)
    path = config.data_dir / "insights.sqlite3"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path, isolation_level=None) as db:  # a log written by the bot before gaps existed
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for statement in statements(MIGRATIONS[1]):
            db.execute(statement)
        db.execute("INSERT INTO schema_version VALUES (1)")
        db.execute(
            "INSERT INTO questions (answer_id, asked_at, user_hash, surface, answered, question)"
            " VALUES ('old', ?, 'h', 'slash', 0, 'Who is Zebulon?')",
            (NOW - 100,),
        )
    db.close()

    store = InsightsStore.open(config, clock=lambda: NOW)
    assert store.schema_version == 2
    assert store.query("SELECT answer_id, question FROM questions") == [("old", "Who is Zebulon?")]
    store.write([asked("new1", 2, 1, "Is Nokia in Canada?", "nokia", "canada"),
                 asked("new2", 1, 2, "Nokia phones?", "nokia", "phone")])
    gaps = compute_stats(store).gaps
    assert [(g.label, g.questions) for g in gaps.groups][0] == ("nokia", 2)
    assert gaps.declined == 3  # the old question counts, without terms it is in no group
    store.close()


def test_an_older_postgresql_log_is_upgraded_and_keeps_its_rows(insights_config, postgres_url) -> None:
    import psycopg

    from bot.insights.schema import for_postgres

    with psycopg.connect(postgres_url, autocommit=True) as db:  # a log written before gaps existed
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for statement in statements(MIGRATIONS[1]):
            db.execute(for_postgres(statement))
        db.execute("INSERT INTO schema_version VALUES (1)")
        db.execute(
            "INSERT INTO questions (answer_id, asked_at, user_hash, surface, answered, question)"
            " VALUES ('old', %s, 'h', 'slash', 0, 'Who is Zebulon?')",
            (NOW - 100,),
        )
    store = InsightsStore.open(insights_config(database=postgres_url, log_question_text=True), clock=lambda: NOW)
    assert store.schema_version == 2
    assert store.query("SELECT answer_id, question FROM questions") == [("old", "Who is Zebulon?")]
    store.write([asked("new1", 2, 1, "Is Nokia in Canada?", "nokia", "canada"),
                 asked("new2", 1, 2, "Nokia phones?", "nokia", "phone")])
    gaps = compute_stats(store).gaps
    assert [(g.label, g.questions) for g in gaps.groups][0] == ("nokia", 2) and gaps.declined == 3
    store.close()


def test_json_carries_the_groups(backend_config) -> None:
    store = seeded(backend_config(log_question_text=False))
    data = compute_stats(store).to_json()["gaps"]
    assert (data["declined"], data["not_helpful"], data["questions"], data["not_shown"]) == (7, 2, 9, 2)
    assert data["groups"][0] == {
        "terms": ["nokia", "contract"],
        "words": ["nokia", "contracts"],
        "label": "nokia + contracts",
        "questions": 3,
        "declined": 3,
        "not_helpful": 0,
        "people": 3,
        "example": None,
    }
    store.close()


def test_a_bad_term_is_refused_where_the_record_is_built() -> None:
    with pytest.raises(ValueError, match="gap term 2: the weight") as bad:
        QuestionRecord("x", "slash", False, terms=(("zte", "zte", 1.0), ("nokia", "nokia", float("nan"))))
    assert "nokia" not in str(bad.value)  # terms are question text: never in a message that may be logged
    with pytest.raises(ValueError, match="gap term 1 is not a"):
        QuestionRecord("x", "slash", False, terms=("nokia",))
    record = QuestionRecord("x", "slash", False, terms=(("nokia", "Nokia", 3), ("nokia", "nokias", 3)))
    assert record.terms == (GapTerm("nokia", "Nokia", 3.0),)  # each term once


# -- python -m bot stats, as an operator runs it ------------------------------------------------


def _cli(tmp_path: Path, text: bool, *args: str) -> str:
    """Seed the log a config names, then run `python -m bot stats` on it in a real process."""
    config_path = tmp_path / "config.yaml"
    if not config_path.exists():
        config_path.write_text(
            f"data_dir: data\ninsights:\n  log_question_text: {str(text).lower()}\n  retention_days: 0\n",
            encoding="utf-8",
        )
        seeded(load_config(config_path)).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--config", str(config_path), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cli_shows_the_gaps_with_examples_when_text_is_kept(tmp_path: Path) -> None:
    out = _cli(tmp_path, True)
    section = out[out.index("Gaps"):]
    assert section.startswith("Gaps (what the story is missing): 9 question(s) the story did not serve: 7 declined, 2 answer(s) marked not helpful")
    lines = [line.strip() for line in section.splitlines()]
    assert "3 × nokia + contracts  (3 declined; 3 person(s))" in lines
    assert "e.g. “Did Nokia win contracts in Canada?”" in lines
    assert lines.index("3 × nokia + contracts  (3 declined; 3 person(s))") < lines.index("2 × meng  (2 not helpful; 2 person(s))")


def test_cli_shows_terms_only_without_question_text(tmp_path: Path) -> None:
    out = _cli(tmp_path, False)
    assert "3 × nokia + contracts" in out and "2 × meng" in out
    assert "Nokia" not in out and "revenue" not in out and "e.g." not in out
    data = json.loads(_cli(tmp_path, False, "--json"))
    assert [g["label"] for g in data["gaps"]["groups"]] == ["nokia + contracts", "phones + huawei", "meng"]
    assert all(g["example"] is None for g in data["gaps"]["groups"])
