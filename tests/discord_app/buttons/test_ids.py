"""Button custom ids: what they carry fits in Discord's 100 characters."""

from __future__ import annotations

import re

from bot.discord_app.buttons._ids import NEXT, WHY, asker_tag, fitting_refs, next_id, why_id, why_terms
from bot.discord_app.limits import CUSTOM_ID


def test_why_custom_id_carries_the_reference_and_no_terms() -> None:
    """Terms are question text (issue 11): the id names the passage only."""
    assert why_id("abcdef.12.1.abcd") == "sb:w:abcdef.12.1.abcd"
    assert why_id("-c") == "sb:w:-c"
    assert re.fullmatch(WHY, why_id("abcdef.12.1.abcd"))


def test_next_match_keeps_the_references_that_fit() -> None:
    refs = [f"abcdef.{i}.1.abcd" for i in range(1, 26)]
    kept = fitting_refs("0123456789", refs)
    assert kept == refs[: len(kept)] and len(kept) >= 3
    assert len(next_id("0123456789", 99, kept, asker_tag("0123456789", 10**19))) <= CUSTOM_ID


def test_why_terms_reads_back_what_an_old_button_carried() -> None:
    """Ids made before terms left them still work."""
    assert why_terms("sb:w:abcdef.12.1.abcd:meng arrest +") == ["meng", "arrest"]  # without the "+"
    assert why_terms(why_id("abcdef.12.1.abcd")) == []
    assert why_terms("sb:c:abcdef.12.1.abcd") is None


def test_next_match_ids_with_and_without_the_asker_are_read() -> None:
    tag = asker_tag("0123456789", 42)
    assert len(tag) == 8 and tag != asker_tag("0123456789", 43) and tag != asker_tag("9876543210", 42)
    new = re.fullmatch(NEXT, next_id("0123456789", 1, ["abcdef.5.1.abcd", "abcdef.7.1.1234"], tag))
    assert new is not None and new["asker"] == tag and new["refs"] == "abcdef.5.1.abcd,abcdef.7.1.1234"
    old = re.fullmatch(NEXT, "sb:n:0123456789:1:abcdef.5.1.abcd,abcdef.7.1.1234")
    assert old is not None and old["asker"] is None and old["rank"] == "1"


def test_why_carries_the_answers_scope_when_it_fits() -> None:
    from bot.discord_app.buttons._ids import why_scope

    scoped = why_id("-n", ["bbbbbb", "aaaaaa"])
    assert scoped == "sb:w:-n:@aaaaaa.bbbbbb" and why_scope(scoped) == ["aaaaaa", "bbbbbb"]
    assert why_terms(scoped) == [] and why_scope(why_id("-n")) is None
    many = [f"{chr(97 + i)}aaaaa" for i in range(20)]
    assert why_id("abcdef.12.1.abcd", many) == "sb:w:abcdef.12.1.abcd"  # too many to fit: re-derived from the channel
    assert why_scope("sb:w:abcdef.12.1.abcd:meng arrest +") is None  # an old id's terms are not a scope
