"""Misspelt and derived names are recognised; new names are not."""

from __future__ import annotations

from bot.engine.spelling import Vocabulary, edit_distance


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("abcd", "abdc", 2) == 1  # transposition
    assert edit_distance("short", "much longer word", 2) == 3  # gives up past the limit


def test_vocabulary_resemblance() -> None:
    vocabulary = Vocabulary(["genghi", "california", "universiti", "huawei", "widen"])
    assert vocabulary.resembles("ghengi")  # Ghengis
    assert vocabulary.resembles("californian")
    assert vocabulary.resembles("univeristi")
    assert not vocabulary.resembles("nokia")
    assert not vocabulary.resembles("ericsson")
