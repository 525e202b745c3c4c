"""A question's subject terms, as the insights gaps view groups them: the engine's own terms, readable."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.answering import term_weight
from bot.engine.topics import topics


def of(engine: Engine, question: str):
    return topics(engine.ask(question), engine.index.analyzer)


def test_subject_terms_with_the_words_members_wrote(engine: Engine) -> None:
    found = of(engine, "How many employees does Huawei's company have?")
    assert [(t.term, t.word) for t in found] == [("employe", "employees"), ("huawei", "huawei"), ("compani", "company")]


def test_question_words_and_everyday_words_are_no_subject(engine: Engine) -> None:
    # "could", "many" shape the question, "say" and "new" are everyday words, "tell me about the story" is asking.
    assert [t.term for t in of(engine, "Could you tell me what Nokia could say that is new?")] == ["nokia"]
    assert of(engine, "Tell me about the story") == ()
    assert of(engine, "What is new?") == ()


def test_a_word_the_story_never_uses_weighs_most(engine: Engine) -> None:
    found = {t.term: t.weight for t in of(engine, "What did Nokia say about Huawei's contracts?")}
    size = engine.index.scorer.size
    assert found["nokia"] == pytest.approx(term_weight(0, size))  # never in the story
    assert found["huawei"] < found["nokia"] / 2  # the whole story is about Huawei
    assert found["nokia"] == max(found.values())


def test_the_terms_are_the_ones_the_engine_searched_with(engine: Engine) -> None:
    answer = engine.ask("When was Meng Wangzhou arrested?")  # misspelt, read as "wanzhou"
    found = topics(answer, engine.index.analyzer)
    assert [t.term for t in found] == [t for t in answer.terms if t in {x.term for x in found}]
    assert "wanzhou" in [t.term for t in found]
    assert all(t.weight == pytest.approx(answer.term_weights[t.term]) for t in found)
