"""The answer decision: one calibrated probability, a configurable threshold, typed abstentions."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from bot.config import load_config
from bot.engine import Engine
from bot.engine.calibration import load_models
from bot.engine.decision import HIGH_FROM, MEDIUM_FROM, Abstention, Confidence, confidence_of

from ..conftest import CONFIG

MENG = "When was Meng Wanzhou arrested?"


def engine_with(tmp_path: Path | None = None, **answers: object) -> Engine:
    config = load_config(CONFIG)
    config = dataclasses.replace(config, answers=dataclasses.replace(config.answers, **answers))
    return Engine.load(config)


def test_the_model_reads_the_question_length_as_brevity(engine: Engine) -> None:
    """A short question is less similar to any paragraph: the fitted model knows the length."""
    from bot.engine.calibration import FEATURES

    short = engine.ask("Who is Patrick Leblond?").signals
    long = engine.ask("What did Patrick Leblond of the University of Ottawa say about Huawei and the Chinese government?").signals
    assert short.terms == 2 and long.terms > 5  # subject words: "patrick", "leblond"
    assert FEATURES["brevity"](short) == 0.5 and FEATURES["brevity"](long) < 0.2
    assert "brevity" in load_models().with_similarity.features and "brevity" in load_models().without_similarity.features
    # Fitted, it raises the probability of a short question (short questions matched word for word are answered).
    model = load_models().with_similarity
    assert model.coefficients[model.features.index("brevity")] > 0
    assert not engine.ask("Who is Patrick Leblond?").abstained


def test_abstention_values_are_stable() -> None:
    """They travel in button ids and logs, so renaming one would break old buttons."""
    assert {a.value for a in Abstention} == {"nomatch", "vague", "name", "form", "unlikely"}
    assert {c.value for c in Confidence} == {"high", "medium", "low"}


def test_the_default_threshold_is_the_fitted_one() -> None:
    assert load_config(CONFIG).answers.min_probability == load_models().threshold
    assert dataclasses.fields(type(load_config(None).answers))  # defaults load without a file
    assert load_config(None).answers.min_probability == load_models().threshold


def test_threshold_from_config_changes_the_decision(engine: Engine) -> None:
    answer = engine.ask(MENG)
    assert not answer.abstained and 0 < answer.probability < 1
    p = answer.probability
    stricter = engine_with(min_probability=min(1.0, p + 0.01)).ask(MENG)
    assert stricter.abstained and stricter.abstention is Abstention.UNLIKELY
    assert stricter.probability == pytest.approx(p)
    assert not engine_with(min_probability=max(0.0, p - 0.01)).ask(MENG).abstained


def test_a_lenient_threshold_answers_what_the_default_declines(engine: Engine) -> None:
    question = "What colour is the sky over Ottawa today?"
    declined = engine.ask(question)
    assert declined.abstained and declined.probability < engine.config.answers.min_probability
    lenient = engine_with(min_probability=0.0).ask(question)
    assert not lenient.abstained and lenient.best is not None


def test_the_threshold_key_is_validated(tmp_path: Path) -> None:
    from bot.config import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text("answers:\n  min_probability: 1.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="answers.min_probability"):
        load_config(path)


@pytest.mark.parametrize(
    "probability, word",
    [(0.99, Confidence.HIGH), (HIGH_FROM, Confidence.HIGH), (HIGH_FROM - 0.001, Confidence.MEDIUM),
     (MEDIUM_FROM, Confidence.MEDIUM), (MEDIUM_FROM - 0.001, Confidence.LOW), (0.01, Confidence.LOW)],
)
def test_confidence_word_from_the_probability(probability: float, word: Confidence) -> None:
    assert confidence_of(probability) is word


def test_answers_carry_probability_confidence_and_sentence(engine: Engine) -> None:
    answer = engine.ask(MENG)
    assert answer.signals is not None and answer.signals.similarity is not None  # the model is loaded
    assert answer.confidence is confidence_of(answer.probability)
    assert answer.answer_sentence is not None and "Dec. 1" in answer.answer_sentence
    assert answer.answer_sentence in answer.best.passage.text


def test_the_answer_sentence_is_the_one_that_answers(engine: Engine) -> None:
    # ¶6 has several sentences; the one about finding hidden things answers this.
    answer = engine.ask("could anyone find bugs hidden in the source code")
    assert answer.best is not None and answer.best.passage.paragraphs == (6, 6)
    assert answer.answer_sentence is not None and "source code" in answer.answer_sentence
    assert not answer.answer_sentence.startswith("“We are right")


def test_fallback_without_the_model_still_decides(without_model: Engine) -> None:
    """No model: BM25 ranks, the model fitted without similarity decides from the word signals."""
    answer = without_model.ask(MENG)
    assert answer.signals is not None and answer.signals.similarity is None
    assert not answer.abstained and answer.best.passage.paragraphs == (5, 5)
    assert answer.probability == pytest.approx(load_models().without_similarity.probability(answer.signals))
    for question in ("What is the capital of Peru?", "What did Nokia say about the ban?", "did huawei get banned in germany"):
        assert without_model.ask(question).abstained, question


def test_a_model_that_cannot_load_is_logged_once_and_the_bot_still_answers(tmp_path: Path, caplog) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    config = load_config(CONFIG)
    config = dataclasses.replace(config, semantic=dataclasses.replace(config.semantic, model=bad))
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(config)
    assert sum("BM25 alone" in r.getMessage() for r in caplog.records) == 1
    answer = engine.ask(MENG)
    assert not answer.abstained and answer.signals.similarity is None
    assert engine.ask("What is the capital of Peru?").abstained
