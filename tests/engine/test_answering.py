"""The story's answers: right paragraph, honest abstention, quotes that name their speaker."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.attribution import needs_attribution
from bot.engine.decision import Abstention
from bot.presentation import abstention_reason

from ..conftest import shared_file


def test_story_paragraphs_are_the_articles(engine: Engine) -> None:
    doc = engine.index.corpus.documents[0]
    assert doc.source == "CTV News"
    assert len(doc.paragraphs) == 12
    article = shared_file("story", "article.txt")  # missing, the test fails: it never checks less
    assert list(doc.paragraphs) == [p.strip() for p in article.read_text(encoding="utf-8").split("\n\n")]


@pytest.mark.parametrize(
    "question, paragraph",
    [
        ("When was Meng Wanzhou arrested?", 5),
        ("Which countries have banned Huawei from 5G?", 2),
        ("who are the two canadians detained in china", 7),
        ("What does Patrick Leblond teach?", 9),
        ("Who will decide about banning Huawei?", 12),
    ],
)
def test_answers_with_the_paragraph_that_says_it(engine: Engine, question: str, paragraph: int) -> None:
    answer = engine.ask(question)
    assert not answer.abstained
    assert answer.best is not None and answer.best.passage.paragraphs == (paragraph, paragraph)
    assert answer.best.passage.text == answer.best.document.paragraphs[paragraph - 1]


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Peru?",
        "hello",
        "",
        "???",
        "What did Nokia say about the ban?",
        "the and of",
        "What is new?",  # "new" only occurs in "New Zealand"
        "What did they say?",
    ],
)
def test_abstains_when_the_story_does_not_say(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.best is None
    assert answer.to_json()["passages"] == []


def test_unattributed_quote_brings_its_speaker(engine: Engine) -> None:
    answer = engine.ask("What can Beijing request from these organizations?")
    best = answer.best
    assert best is not None and best.passage.paragraphs == (4, 4)
    assert [c.paragraphs for c in best.context] == [(3, 3)]
    assert "Ritesh Kotak" in best.context[0].text
    assert best.paragraphs == (3, 4)


def test_attributed_quote_needs_no_context() -> None:
    assert not needs_attribution("“We are right,” cybersecurity expert Brian O’Higgins told CTV News.")
    assert needs_attribution("“We are right,” she said.")
    assert needs_attribution("He added that nothing had changed.")
    assert not needs_attribution("Prime Minister Justin Trudeau has previously stated that it is fine.")


def test_json_contract(engine: Engine) -> None:
    data = engine.ask("Iran sanctions", top=2).to_json()
    assert data["answered"] is True and data["question"] == "Iran sanctions"
    first = data["passages"][0]
    assert first["document"] == "huawei-5g-canada-china"
    assert first["paragraphs"] == [5, 5]
    assert isinstance(first["score"], float) and first["score"] > 0
    assert len(data["passages"]) <= 2
    scores = [p["score"] for p in data["passages"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question, paragraph",
    [
        ("Who is Huawei's CFO?", 5),  # an acronym the passage spells out
        ("When was the huawei cfo arrested?", 5),
        ("What date was Meng Wanzhou detained?", 5),  # "date" asks for the form, not the subject
        ("How long has Huawei operated in Canada?", 10),  # ¶11 ranks first but has no duration
    ],
)
def test_answers_questions_that_need_more_than_word_overlap(engine: Engine, question: str, paragraph: int) -> None:
    best = engine.ask(question).best
    assert best is not None and best.passage.paragraphs == (paragraph, paragraph)


@pytest.mark.parametrize(
    "question, kind, reason",
    [
        ("What did Nokia say about the Huawei ban?", Abstention.UNKNOWN_NAME, "never mentions Nokia"),
        ("Did Germany ban Huawei from 5G?", Abstention.UNKNOWN_NAME, "never mentions Germany"),
        ("How old is Justin Trudeau?", Abstention.MISSING_FORM, "number"),
        ("When was Huawei founded?", Abstention.UNLIKELY, "matches too little"),
    ],
)
def test_abstention_reason(engine: Engine, question: str, kind: Abstention, reason: str) -> None:
    """The engine says which kind of abstention (a typed value); the presentation says it in words."""
    answer = engine.ask(question)
    assert answer.abstained and answer.abstention is kind
    assert reason in abstention_reason(answer)


def test_misspelt_name_is_not_an_unknown_name(engine: Engine) -> None:
    answer = engine.ask("When was Meng Wangzhou arrested?")
    assert not answer.abstained and answer.best is not None and answer.best.passage.paragraphs == (5, 5)
