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


def test_short_names_are_corrected_by_consonants_and_beginning() -> None:
    vocabulary = Vocabulary(["huawei", "kotak", "trudeau", "trade", "kovrig", "spavor", "meng", "canada"])
    assert vocabulary.short_correction("huwei") == "huawei"  # a vowel left out
    assert vocabulary.short_correction("kotek") == "kotak"  # a vowel for a vowel
    assert vocabulary.short_correction("trudo") == "trudeau"  # closer to "trade", but "trud" is how it starts
    assert vocabulary.short_correction("spavr") == "spavor"
    assert vocabulary.short_correction("nokia") is None
    assert vocabulary.short_correction("mexico") is None
    assert vocabulary.short_correction("xyz") is None  # too short to guess


def test_a_guess_between_equals_is_no_correction() -> None:
    vocabulary = Vocabulary(["bane", "bone"])
    assert vocabulary.short_correction("bune") is None


def test_vowel_distance() -> None:
    from bot.engine.spelling import vowel_distance

    assert vowel_distance("kotek", "kotak", 2) == 0.5
    assert vowel_distance("huwei", "huawei", 2) == 0.5
    assert vowel_distance("trudo", "trudeau", 2) == 1.5
    assert vowel_distance("nokia", "huawei", 1) > 1


def test_names_typed_without_their_apostrophe() -> None:
    vocabulary = Vocabulary(["higgin"])
    assert vocabulary.split_name("ohiggin", {"higgin": 1}) == "higgin"
    assert vocabulary.split_name("xhiggin", {"higgin": 1}) is None  # only O', D', L' are written that way
    assert vocabulary.split_name("ohio", {"hio": 1}) is None  # too short to be sure


def test_an_english_word_the_story_lacks_is_not_read_as_another_word(engine) -> None:
    """"price" is not a slip for "prime" (the story has Prime Minister), nor "tech" for "teaches":
    read as misspellings, they made "share price" look like a question about the Prime Minister."""
    from bot.engine.answering import read_question

    def terms(question: str) -> list[str]:
        return [t.term for t in read_question(engine.index, question)]

    assert "prime" not in terms("whats huaweis share price")
    assert "teach" not in terms("is spying possible if the tech is compromised")
    assert "access" not in terms("What is Meng accused of?")
    # A word's own stem in the story still counts ("expertise" → expert), and so do real slips.
    assert "expert" in terms("whats kotaks area of expertise")
    assert "huawei" in terms("is zte included or just huwei")
    assert "trudeau" in terms("what did trudo say")


def test_the_model_reads_a_misspelt_name_as_the_story_spells_it(engine) -> None:
    """The embedding model reads text, not terms: the name is mended in what it reads, so a typo
    costs the question none of its similarity; English words stay as typed."""
    from bot.engine.answering import as_the_corpus_spells, read_question

    def asked(question: str) -> str:
        return as_the_corpus_spells(engine.index, question, read_question(engine.index, question))

    assert asked("who is brian o higins") == "who is brian o O’Higgins"
    assert asked("ohiggins ctv") == "O’Higgins ctv"
    assert asked("whats kotaks area of expertise") == "whats kotaks area of expertise"
    typo, right = engine.ask("is zte included or just huwei"), engine.ask("is zte included or just huawei")
    assert typo.matches[0].position == right.matches[0].position
    assert typo.matches[0].similarity == right.matches[0].similarity
