"""The one QuestionRecord: what it says about a question, checked where it is built."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.insights.records import QuestionRecord

from ..conftest import CONFIG

# The quote answering this names its speaker only in the paragraph before, which the
# citation shows as context ("¶3–4"); the passage that answered is ¶4.
WITH_CONTEXT = "What can Beijing request from these organizations?"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(CONFIG)


def test_the_record_names_the_passage_that_answered_not_the_context_before_it(engine: Engine) -> None:
    answer = engine.ask(WITH_CONTEXT)
    best = answer.best
    assert best is not None and best.context, "the question should be answered with a context paragraph"
    assert best.paragraphs == (3, 4) and best.passage.paragraphs == (4, 4)  # the citation's span vs the passage's

    record = QuestionRecord.from_answer(answer, "slash", user_id=1, answer_id="0123456789", seconds=0.25)
    assert record.paragraphs == (4, 4)  # what --json calls "paragraphs", and what a vote on it names
    assert answer.to_json()["passages"][0]["paragraphs"] == list(record.paragraphs)
    assert (record.status, record.answered, record.seconds, record.document_id) == ("answered", True, 0.25, best.document.id)


def test_the_status_follows_answered_unless_given() -> None:
    assert QuestionRecord("a", "dm", True).status == "answered"
    assert QuestionRecord("a", "dm", False).status == "abstained"
    failed = QuestionRecord.failed("error", "mention", 7, "who?", seconds=1.5)
    assert (failed.status, failed.answered, failed.has_answer, failed.seconds) == ("error", False, False, 1.5)
    assert QuestionRecord("a", "dm", False).has_answer and QuestionRecord("a", "dm", True).has_answer


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"answered": True, "status": "abstained"}, "contradicts"),
        ({"answered": False, "status": "answered"}, "contradicts"),
        ({"answered": False, "status": "lost"}, "unknown status"),
        ({"answered": False, "surface": "fax"}, "unknown surface"),
    ],
)
def test_a_contradictory_record_is_refused_where_it_is_built(kwargs: dict, problem: str) -> None:
    values = {"answer_id": "a", "surface": "slash", **kwargs}
    with pytest.raises(ValueError, match=problem):
        QuestionRecord(**values)
