"""The answer form a question asks for, and whether a passage has it."""

from __future__ import annotations

import pytest

from bot.config import AnswersConfig
from bot.engine.expectations import Expects, expected, supplies


@pytest.mark.parametrize(
    "question, form",
    [
        ("When was Meng Wanzhou arrested?", Expects.TIME),
        ("What year did it happen?", Expects.TIME),
        ("How many employees does Huawei have?", Expects.NUMBER),
        ("What is the population of Canada?", Expects.NUMBER),
        ("How old is Justin Trudeau?", Expects.NUMBER),
        ("How long has Huawei operated in Canada?", Expects.DURATION),
        ("Who is Meng Wanzhou?", Expects.ANYTHING),
        ("Why was she arrested?", Expects.ANYTHING),
    ],
)
def test_question_forms(question: str, form: Expects) -> None:
    assert expected(question, AnswersConfig().max_question_chars) is form


def test_passages_supply_forms() -> None:
    assert supplies("arrested on Dec. 1 at the behest", Expects.TIME)
    assert supplies("detained in China in December", Expects.TIME)
    assert not supplies("Canada’s 5G networks will be left to experts", Expects.TIME)
    assert supplies("operating in Canada for ten years", Expects.DURATION)
    assert supplies("it employs 1,200 people", Expects.NUMBER)
    assert not supplies("Canada’s 5G networks", Expects.NUMBER)  # 5G is a name, not a number
    assert supplies("anything at all", Expects.ANYTHING)
