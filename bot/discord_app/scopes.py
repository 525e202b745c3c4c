"""Which documents a question asked somewhere on Discord is answered from.

`discord.channels.<id>.documents` beats `discord.guilds.<id>.documents`; a thread
without its own list follows its parent channel's (a forum post: its forum's), then the
server's; a DM, or a place nobody scoped, answers from every document. The engine applies
the scope before its answer decision (engine/scope.py); the buttons stay inside it
because they only carry references to the passages that answer gave.

/ask's `story:` option narrows one question further, to one document of the scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from ..config import ChannelSettings, DiscordConfig
from ..engine.documents import Document
from ..engine.index import Index
from ..engine.scope import Scope


def _entries(settings: DiscordConfig, channel: object) -> list[ChannelSettings]:
    """The channel's own entry, then (for a thread) its parent's."""
    found = []
    channel_id = getattr(channel, "id", None)
    if isinstance(channel_id, int) and channel_id in settings.channels:
        found.append(settings.channels[channel_id])
    parent_id = getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None
    if isinstance(parent_id, int) and parent_id in settings.channels:
        found.append(settings.channels[parent_id])
    return found


def scope_for(settings: DiscordConfig, channel: object, guild_id: int | None) -> Scope:
    """The documents a question asked in `channel` (of server `guild_id`) is answered from."""
    for entry in _entries(settings, channel):
        if entry.documents is not None:
            return frozenset(entry.documents)
    guild = settings.guilds.get(guild_id) if guild_id is not None else None
    if guild is not None and guild.documents is not None:
        return frozenset(guild.documents)
    return None


def documents_in(index: Index, scope: Scope) -> list[Document]:
    """The scope's documents in corpus order (every document for None)."""
    return [d for d in index.corpus.documents if scope is None or d.id in scope]


@dataclass(frozen=True)
class Narrowed:
    """/ask's story: resolved within the channel's scope: the one document, or None when it is not one of them."""

    scope: Scope
    found: bool


def narrow(index: Index, scope: Scope, story: str | None, choice_chars: int) -> Narrowed:
    """The scope for one /ask: the story a member picked (by id, as autocomplete sends it, or
    by its title as typed), only if the channel's scope holds it."""
    if story is None or not story.strip():
        return Narrowed(scope, True)
    wanted = story.strip()
    folded = wanted.casefold()
    for document in documents_in(index, scope):
        title = document.title.casefold()
        # An id or title longer than an autocomplete value is sent cut to it (limits.CHOICE_CHARS).
        if wanted == document.id or folded == title or (len(wanted) == choice_chars and title.startswith(folded)):
            return Narrowed(frozenset({document.id}), True)
    return Narrowed(scope, False)


def story_choices(index: Index, scope: Scope, typed: str, limit: int, chars: int) -> list[tuple[str, str]]:
    """(title, value) of the scope's documents whose title or id holds what was typed, for autocomplete."""
    folded = typed.strip().casefold()
    out = []
    for document in documents_in(index, scope):
        if folded and folded not in document.title.casefold() and folded not in document.id.casefold():
            continue
        name = document.title if len(document.title) <= chars else document.title[: chars - 1] + "…"
        value = document.id if len(document.id) <= chars else document.title[:chars]
        out.append((name, value))
        if len(out) == limit:
            break
    return out
