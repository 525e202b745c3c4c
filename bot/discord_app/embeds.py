"""Answers as Discord embeds, and short notices, within every Discord limit (limits.py).

Discord rejects (HTTP 400) a message over any limit, and the asker then gets
nothing; so every piece is shortened here, at a sentence or word boundary with
an ellipsis, before it is sent.
"""

from __future__ import annotations

import re

import discord

from ..presentation import Reply, escape_markdown, shorten
from .limits import CONTENT, DESCRIPTION, EMBED_TOTAL, FIELD_VALUE, FOOTER, TITLE, URL

ANSWERED = discord.Colour.blurple()
ABSTAINED = discord.Colour.light_grey()
PROBLEM = discord.Colour.red()
NO_PINGS = discord.AllowedMentions.none()
QUESTION_FIELD = "Question"
_UNESCAPE = re.compile(r"\\(.)", flags=re.DOTALL)  # escape_markdown's backslashes


def notice(text: str) -> str:
    """Plain message content, never over Discord's 2,000 characters."""
    return shorten(text, CONTENT)


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the description until the whole embed is within 6,000 characters."""
    over = len(embed) - EMBED_TOTAL
    if over > 0 and embed.description:
        embed.description = shorten(embed.description, max(len(embed.description) - over, 1))
    return embed


def web_url(url: str | None) -> str | None:
    """Discord refuses an embed whose url is not http(s); a bad front-matter url must not cost the answer."""
    if url and url.startswith(("https://", "http://")) and len(url) <= URL and " " not in url:
        return url
    return None


def answer_embed(reply: Reply, question: str | None = None, note: str | None = None) -> discord.Embed:
    """The quote (or abstention) with its title and citation; `question` is echoed escaped."""
    embed = discord.Embed(
        title=shorten(reply.title, TITLE),
        description=shorten(reply.body, DESCRIPTION),
        colour=ANSWERED if reply.answered else ABSTAINED,
        url=web_url(reply.url) if reply.answered else None,
    )
    if question is not None:
        embed.add_field(name=QUESTION_FIELD, value=shorten(escape_markdown(shorten(question, 900)) or "(empty)", FIELD_VALUE), inline=False)
    footer = reply.citation
    if note:
        footer = f"{footer} · {note}" if footer else note
    if footer:
        embed.set_footer(text=shorten(footer, FOOTER))
    return fit(embed)


def question_on(embed: discord.Embed) -> str | None:
    """The question an answer embed echoes (its "Question" field), unescaped; None if it has none.

    The buttons read it back to recompute the question's terms, so custom ids never carry them."""
    for field in embed.fields:
        if field.name == QUESTION_FIELD and field.value:
            return _UNESCAPE.sub(r"\1", field.value)
    return None
