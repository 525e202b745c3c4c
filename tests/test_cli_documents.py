"""`--document` on `ask` (one, `--batch`, `--json`) and `chat`, and an abstention's nearest
passages in the `--json` contract and the console, run as an operator runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, STORY
from .test_cli import PASSAGE_KEYS, bot, one_line_error

SECOND = ROOT / "tests" / "data" / "second-story" / "nokia-elisa-5g.md"
HUAWEI, NOKIA = "huawei-5g-canada-china", "nokia-elisa-5g"
ELISA = "Who will build Elisa's 5G network?"


@pytest.fixture
def two_stories(tmp_path: Path) -> Path:
    (tmp_path / "corpus").mkdir()
    shutil.copy(STORY, tmp_path / "corpus" / STORY.name)
    shutil.copy(SECOND, tmp_path / "corpus" / SECOND.name)
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  path: corpus\n", encoding="utf-8")
    return config


def ask_json(*args: str) -> dict:
    result = bot("ask", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ask_json_document_answers_only_from_that_document(two_stories: Path) -> None:
    everywhere = ask_json("--config", str(two_stories), ELISA)
    assert everywhere["passages"][0]["document"] == NOKIA and everywhere["scope"] is None
    assert HUAWEI in {p["document"] for p in everywhere["passages"]}

    nokia = ask_json("--config", str(two_stories), "--document", NOKIA, ELISA)
    assert nokia["answered"] and {p["document"] for p in nokia["passages"]} == {NOKIA}
    assert nokia["scope"] == [NOKIA]
    huawei = ask_json("--config", str(two_stories), "--document", HUAWEI, ELISA)
    assert huawei["answered"] is False and huawei["passages"] == [] and huawei["abstention"] == "name"
    assert huawei["nearest"] and {p["document"] for p in huawei["nearest"]} == {HUAWEI}
    both = ask_json("--config", str(two_stories), "--document", HUAWEI, "--document", NOKIA, ELISA)
    assert both["scope"] == [HUAWEI, NOKIA] and both["passages"] == everywhere["passages"]


def test_ask_batch_takes_document_too(two_stories: Path) -> None:
    questions = "When was Meng Wanzhou arrested?\n" + ELISA + "\n"
    result = bot("ask", "--config", str(two_stories), "--batch", "-", "--document", NOKIA, stdin=questions)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.decode().splitlines()
    assert first == "[no answer] The story doesn't say."  # nothing of the Nokia story shares a word
    assert second.startswith(f"[{NOKIA} ¶1] ")


def test_an_unknown_document_is_an_error_naming_it_and_the_known_ones(two_stories: Path) -> None:
    for command in (["ask", ELISA], ["chat"], ["ask", "--json", ELISA]):
        result = bot(*command, "--config", str(two_stories), "--document", "nokia", stdin="")
        assert result.returncode == 2 and result.stdout == b""
        assert one_line_error(result) == f"error: --document: no document 'nokia' in the corpus (known: {HUAWEI}, {NOKIA})"


def test_chat_document_answers_only_from_that_document(two_stories: Path) -> None:
    result = bot("chat", "--config", str(two_stories), "--document", HUAWEI, stdin=f"{ELISA}\nWhen was Meng Wanzhou arrested?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("Story bot console: 2 document(s)") and f"answering only from {HUAWEI}" in out.splitlines()[0]
    first, second = out.split("bot>")[1:]
    assert "The story doesn't say" in first and "never mentions Elisa" in first and "Nokia to build" not in first
    assert "Closest in the story (not an answer): ¶" in first
    assert "¶5 of 12 · CTV News" in second


def test_ask_json_abstention_keeps_no_passages_and_lists_the_nearest() -> None:
    data = ask_json("Did Huawei sign contracts with Nokia?")
    assert data["answered"] is False and data["passages"] == []
    assert 1 <= len(data["nearest"]) <= 3
    answered = ask_json("When was Meng Wanzhou arrested?")
    assert answered["nearest"] == []
    story = STORY.read_text(encoding="utf-8")
    for near in data["nearest"]:
        assert set(near) == set(answered["passages"][0]) == PASSAGE_KEYS  # rendered as a passage is
        assert near["document"] == HUAWEI and near["source"] == "CTV News" and near["text"] in story
        assert "huawei" in near["matched_terms"]
    scores = [n["score"] for n in data["nearest"]]
    assert all(isinstance(s, float) and s > 0 for s in scores)


def test_ask_json_no_match_has_no_nearest() -> None:
    data = ask_json("What is the capital of Peru?")
    assert data["abstention"] == "nomatch" and data["passages"] == [] and data["nearest"] == []


def test_ask_text_abstention_names_the_closest_paragraphs() -> None:
    result = bot("ask", "Did Huawei sign contracts with Nokia?")
    out = result.stdout.decode()
    assert out.startswith("**The story doesn't say**")
    assert "Closest in the story (not an answer): ¶" in out
    assert "Closest" not in bot("ask", "What is the capital of Peru?").stdout.decode()
    batch = bot("ask", "--batch", "-", stdin="Did Huawei sign contracts with Nokia?\nWhat is the capital of Peru?\n")
    declined, nomatch = batch.stdout.decode().splitlines()
    assert declined.startswith(f"[no answer] The story doesn't say. (closest, not an answer: {HUAWEI} ¶")
    assert nomatch == "[no answer] The story doesn't say."


def test_check_names_the_key_of_a_scope_with_an_unknown_document(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    shutil.copy(STORY, tmp_path / "corpus" / STORY.name)
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  path: corpus\ndiscord:\n  guilds:\n    '99': {documents: [huawei]}\n", encoding="utf-8")
    result = bot("check", "--config", str(config))
    assert result.returncode == 1
    assert one_line_error(result) == (
        f"error: {config}: 'discord.guilds.99.documents[0]': no document 'huawei' in the corpus (known: {HUAWEI})"
    )
