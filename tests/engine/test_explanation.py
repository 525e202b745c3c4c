"""Why this passage: the explanation agrees with the answer it explains."""

from __future__ import annotations

import pytest
import yaml

from bot.engine import Engine
from bot.engine.explanation import explain, match_at

from ..conftest import shared_file


def questions() -> list[str]:
    """The shared development questions (a missing ../shared fails collection, loudly)."""
    data = yaml.safe_load(shared_file("story", "dev-questions.yaml").read_text(encoding="utf-8"))
    return [item["q"] if isinstance(item, dict) else item for group in data.values() for item in group]


@pytest.mark.parametrize("question", questions())
def test_explanation_matches_what_the_answer_used(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    for match in answer.matches:
        rebuilt = match_at(engine, match.position, answer.terms, match.score)
        assert rebuilt.matched_terms == match.matched_terms
        assert rebuilt.context == match.context
    if answer.best is not None:
        explanation = explain(engine, answer.terms, answer.best.position)
        assert explanation.coverage == pytest.approx(answer.coverage)
        assert {t.term for t in explanation.terms if t.in_passage} == set(answer.best.matched_terms)
        if explanation.score is not None:
            assert explanation.score == pytest.approx(answer.best.score)


def test_rarer_terms_weigh_more_and_unknown_terms_are_flagged(engine: Engine) -> None:
    answer = engine.ask("Did Meng Wanzhou visit Peru?")
    explanation = explain(engine, answer.terms, None)
    weight = {t.term: t.weight for t in explanation.terms}
    assert weight["peru"] > weight["wanzhou"] > weight["meng"]
    assert "peru" in explanation.missing_from_story and "wanzhou" not in explanation.missing_from_story
    assert explanation.coverage == 0.0  # no passage given
