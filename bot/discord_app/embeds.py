"""Replies as Discord messages: embeds and short notices within every Discord limit.

Discord rejects (HTTP 400) a message over any limit, and the asker then gets
nothing; so every piece is shortened here, at a sentence or word boundary with
an ellipsis, before it is sent.
"""

from __future__ import annotations

import re
from datetime import datetime

import discord

from ..engine import Engine
from ..presentation import Reply, escape_markdown, shorten

TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
TOTAL = 6000
CONTENT = 2000
MAX_FIELDS = 25

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
    over = len(embed) - TOTAL
    if over > 0 and embed.description:
        embed.description = shorten(embed.description, max(len(embed.description) - over, 1))
    return embed


def _web_url(url: str | None) -> str | None:
    """Discord refuses an embed whose url is not http(s); a bad front-matter url must not cost the answer."""
    if url and url.startswith(("https://", "http://")) and len(url) <= 2048 and " " not in url:
        return url
    return None


def answer_embed(reply: Reply, question: str | None = None, note: str | None = None) -> discord.Embed:
    """The quote (or abstention) with its title and citation; `question` is echoed escaped."""
    embed = discord.Embed(
        title=shorten(reply.title, TITLE),
        description=shorten(reply.body, DESCRIPTION),
        colour=ANSWERED if reply.answered else ABSTAINED,
        url=_web_url(reply.url) if reply.answered else None,
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


def source_embed(engine: Engine, loaded_at: datetime | None) -> discord.Embed:
    """What the bot knows: documents, their sources and sizes, and when the index was built."""
    index = engine.index
    counts: dict[str, int] = {}
    for passage in index.passages:
        counts[passage.document_id] = counts.get(passage.document_id, 0) + 1
    lines = []
    for doc in index.corpus.documents:
        source = doc.source or "source not given"
        if doc.url and _web_url(doc.url):
            source = f"[{escape_markdown(source)}]({doc.url})"
        else:
            source = escape_markdown(source)
        lines.append(
            f"**{escape_markdown(doc.title)}**\n{source} · {len(doc.paragraphs)} paragraphs · "
            f"{counts.get(doc.id, 0)} passages"
        )
    description = ""
    for i, line in enumerate(lines):
        more = f"\n… and {len(lines) - i} more document(s)"
        if len(description) + len(line) + 2 + len(more) > DESCRIPTION - 50:
            description += more
            break
        description += ("\n\n" if description else "") + line
    embed = discord.Embed(title="What I know", description=description or "No documents.", colour=ANSWERED)
    when = f"{discord.utils.format_dt(loaded_at, 'f')} ({discord.utils.format_dt(loaded_at, 'R')})" if loaded_at else "not yet"
    embed.add_field(name="Documents", value=str(engine.documents), inline=True)
    embed.add_field(name="Passages", value=str(engine.passages), inline=True)
    embed.add_field(name="Index loaded", value=when, inline=False)
    embed.set_footer(text="I quote the story; I never make up an answer.")
    return fit(embed)


def help_embed(examples: tuple[str, ...], max_length: int) -> discord.Embed:
    lines = [
        "I answer questions about the story by quoting the passage that answers it, "
        "with the paragraph it comes from. If the story doesn't say, I say so rather than guess.",
        "",
        f"**/ask** `question` — ask about the story (up to {max_length} characters).",
        "**Direct message** — send me any question.",
        "**Mention me** in a channel — `@me your question`, and I reply to your message.",
        "**Apps → Ask the story bot** on any message — answers that message's text, only for you.",
        "**/source** — the documents I know and when they were loaded.",
        "",
        "Under each answer: **Next match** pages through other passages, **Context** shows the "
        "paragraphs around it, **Why this?** shows how it was chosen, and **Helpful / Not helpful** "
        "tells the operator how it went.",
    ]
    if examples:
        lines += ["", "**Try, for example:**"] + [f"• {escape_markdown(q)}" for q in examples[:3]]
    embed = discord.Embed(title="How to ask me", description=shorten("\n".join(lines), DESCRIPTION), colour=ANSWERED)
    return fit(embed)
