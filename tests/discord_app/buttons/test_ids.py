"""Button custom ids: what they carry fits in Discord's 100 characters."""

from __future__ import annotations

from bot.discord_app.buttons._ids import MORE_TERMS, fitting_refs, why_custom_id, why_terms
from bot.discord_app.limits import CUSTOM_ID


def test_why_custom_id_keeps_the_terms_that_fit_and_marks_the_rest() -> None:
    terms = [f"term{i:02d}" for i in range(30)]
    cid = why_custom_id("abcdef.12.1.abcd", terms)
    assert len(cid) <= CUSTOM_ID and cid.endswith(" " + MORE_TERMS)
    kept = cid.split(":", 3)[3].split()[:-1]
    assert kept == terms[: len(kept)] and len(kept) >= 5
    assert why_custom_id("-", ["meng", "arrest"]) == "sb:w:-:meng arrest"


def test_next_match_keeps_the_references_that_fit() -> None:
    refs = [f"abcdef.{i}.1.abcd" for i in range(1, 26)]
    kept = fitting_refs("0123456789", refs)
    assert kept == refs[: len(kept)] and len(kept) >= 3
    assert len(f"sb:n:0123456789:99:{','.join(kept)}") <= CUSTOM_ID


def test_why_terms_reads_back_what_the_button_carries() -> None:
    cid = why_custom_id("abcdef.12.1.abcd", [f"term{i:02d}" for i in range(30)])
    assert why_terms(cid) == cid.split(":", 3)[3].split()[:-1]  # without the "+"
    assert why_terms("sb:c:abcdef.12.1.abcd") is None
