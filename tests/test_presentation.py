"""What a reply reads like: verbatim, highlighted, escaped, within limits."""

from __future__ import annotations

import re

import pytest

from bot.engine import Engine
from bot.presentation import escape_markdown, render, shorten

from .conftest import CONFIG


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(CONFIG)


def unformat(markdown: str) -> str:
    """Undo quote prefixes, bold and escapes: what a reader sees as text."""
    text = re.sub(r"^> ?", "", markdown, flags=re.MULTILINE).replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)


def test_quote_is_the_paragraph_verbatim_with_matched_words_bold(engine: Engine) -> None:
    reply = render(engine.ask("When was Meng Wanzhou arrested?"), engine)
    paragraph = engine.index.corpus.documents[0].paragraphs[4]
    assert reply.answered
    assert unformat(reply.body) == paragraph
    assert "**Meng Wanzhou**" in reply.body and "**arrested**" in reply.body
    assert reply.citation.startswith("¶5 of 12") and "CTV News" in reply.citation


def test_unattributed_quote_shows_the_speaker_first(engine: Engine) -> None:
    reply = render(engine.ask("What can Beijing request from these organizations?"), engine)
    assert reply.citation.startswith("¶3–4 of 12")
    assert reply.body.index("Ritesh Kotak") < reply.body.index("Beijing")


def test_abstention_says_so_and_hints(engine: Engine) -> None:
    reply = render(engine.ask("Who painted the Mona Lisa?"), engine, examples=("When was Meng arrested?",))
    assert not reply.answered
    assert "doesn't say" in reply.title
    assert "Huawei" in reply.body and "When was Meng arrested?" in reply.body


def test_escaping_neutralises_markdown_and_mentions() -> None:
    escaped = escape_markdown("**bold** @everyone <@123> `code` ||spoiler|| # heading")
    assert "**" not in escaped.replace("\\*", "")
    assert "@everyone" not in escaped.replace("\\@", "")
    assert "<@123>" not in escaped


@pytest.mark.parametrize("limit", [20, 57, 100, 333])
def test_shorten_cuts_at_a_boundary_with_an_ellipsis(limit: int) -> None:
    text = "The first sentence is short. " + "Then comes a much longer sentence with many words in it " * 10
    cut = shorten(text, limit)
    assert len(cut) <= limit and cut.endswith("…")
    kept = cut[: -len(" …")]
    assert text.startswith(kept) and text[len(kept)] in " ."


def test_long_passage_fits_the_limit(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    words = " ".join(f"word{i}" for i in range(1500))
    (corpus / "long.md").write_text(f"Zebras {words} end.\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("passages:\n  max_chars: 100000\n", encoding="utf-8")
    engine = Engine.load(config)
    reply = render(engine.ask("zebras"), engine, limit=1000)
    assert len(reply.body) <= 1000 and reply.body.rstrip().endswith("…")
    assert "**Zebras**" in reply.body


def test_paragraph_spans_are_written_one_way_everywhere() -> None:
    from bot.presentation import paragraph_label, paragraph_span

    assert paragraph_span((5, 5)) == "¶5"
    assert paragraph_span((3, 4)) == "¶3–4"  # an en dash, as in the citation
    assert paragraph_label((3, 4), 12) == "¶3–4 of 12"
