"""Long paragraphs are cut at sentence boundaries into verbatim slices."""

from __future__ import annotations

from bot.engine.documents import Document
from bot.engine.passages import sentence_spans, split_document, split_paragraph


def test_abbreviations_do_not_end_sentences() -> None:
    text = "U.S. President Donald Trump met Mr. Smith on Dec. 1 in Washington. Then he left."
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == ["U.S. President Donald Trump met Mr. Smith on Dec. 1 in Washington.", "Then he left."]


def test_quotes_end_sentences() -> None:
    text = "“We are right,” he said. “If a government wants to, it will.” Nobody will find it."
    assert len(sentence_spans(text)) == 3


def test_long_paragraph_is_split_into_exact_slices() -> None:
    sentences = [f"Sentence number {i} talks about topic {i} at some length." for i in range(40)]
    paragraph = " ".join(sentences)
    pieces = split_paragraph(paragraph, 200)
    assert len(pieces) > 1
    assert all(len(p) <= 200 for p in pieces)
    assert all(p in paragraph for p in pieces)
    assert " ".join(pieces) == paragraph


def test_a_single_overlong_sentence_stays_whole() -> None:
    paragraph = "word " * 300
    assert split_paragraph(paragraph.strip(), 100) == [paragraph.strip()]


def test_passages_keep_document_and_paragraph_numbers() -> None:
    long = " ".join(f"This is sentence {i}." for i in range(100))
    doc = Document(id="d", title="T", paragraphs=("Short one.", long, "Last."))
    passages = split_document(doc, max_chars=300)
    assert passages[0].paragraphs == (1, 1) and passages[-1].paragraphs == (3, 3)
    middle = [p for p in passages if p.paragraphs == (2, 2)]
    assert len(middle) > 1
    assert [p.part for p in middle] == list(range(1, len(middle) + 1))
    assert all(p.parts == len(middle) for p in middle)
