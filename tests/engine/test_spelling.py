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


def test_acronyms_spelt_by_initials() -> None:
    from bot.engine.spelling import spells_acronym

    assert spells_acronym("cfo", "arrested huawei chief financial officer meng wanzhou")
    assert spells_acronym("pm", "prime minister justin trudeau")
    assert not spells_acronym("ceo", "arrested huawei chief financial officer")
    assert not spells_acronym("a1", "a one")


def test_corrections_only_when_one_word_is_close() -> None:
    vocabulary = Vocabulary(["wanzhou", "sanction", "generat", "think", "statement", "statemens"])
    assert vocabulary.correction("wangzhou") == "wanzhou"
    assert vocabulary.correction("samsung") is None  # two edits from "sanction": a different word
    assert vocabulary.correction("germani") is None
    assert vocabulary.correction("thank") is None  # too short to guess
    assert vocabulary.correction("statemen") is None  # equally close to two words
