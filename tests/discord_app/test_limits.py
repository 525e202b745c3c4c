"""Discord's limits, written once: the quote every surface shows fits an embed description."""

from __future__ import annotations

from bot.discord_app import limits
from bot.presentation import QUOTE_LIMIT


def test_the_quote_limit_leaves_room_in_an_embed_description() -> None:
    assert QUOTE_LIMIT + 200 <= limits.DESCRIPTION  # room for the note and the highlights' escaping
    assert limits.CHOICE_CHARS <= limits.CUSTOM_ID and limits.CHOICES == 25
