"""What /source and /help show: the documents the bot knows, and how to ask."""

from __future__ import annotations

from datetime import datetime

import discord

from ...engine import Engine
from ...presentation import escape_markdown, shorten
from ..embeds import ANSWERED, fit, web_url
from ..limits import DESCRIPTION


def source_embed(engine: Engine, loaded_at: datetime | None) -> discord.Embed:
    """What the bot knows: documents, their sources and sizes, and when the index was built."""
    index = engine.index
    counts: dict[str, int] = {}
    for passage in index.passages:
        counts[passage.document_id] = counts.get(passage.document_id, 0) + 1
    lines = []
    for doc in index.corpus.documents:
        source = doc.source or "source not given"
        if doc.url and web_url(doc.url):
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
        f"**/ask** `question` — ask about the story (up to {max_length} characters); "
        "`story` (optional) asks only one of the stories I answer from here.",
        "**Direct message** — send me any question.",
        "**Mention me** in a channel — `@me your question`, and I reply to your message.",
        "**Apps → Ask the story bot** on any message — answers that message's text, only for you.",
        "**/source** — the documents I know and when they were loaded.",
        "",
        "Under each answer: **Next match** pages through other passages, **Context** shows the "
        "paragraphs around it, **Why this?** shows how it was chosen, and **Helpful / Not helpful** "
        "tells the operator how it went. When the story doesn't say, **Closest** buttons show the "
        "passages nearest your question, marked as not an answer.",
    ]
    if examples:
        lines += ["", "**Try, for example:**"] + [f"• {escape_markdown(q)}" for q in examples[:3]]
    embed = discord.Embed(title="How to ask me", description=shorten("\n".join(lines), DESCRIPTION), colour=ANSWERED)
    return fit(embed)
