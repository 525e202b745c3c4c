"""Which documents a question may be answered from: a scope, and the config's scopes checked against the corpus.

A scope is a set of document ids (None: the whole corpus). It is applied before
anything else looks at a passage: the scorer only ever returns passages inside it
(a boolean mask over the index's passages), so the answer decision, the other matches
and the nearest passages of an abstention all come from the scope. BM25's weights stay
those of the whole corpus: a scope narrows where the bot looks, not what words mean.

The operator names documents in `discord.channels.<id>.documents` and
`discord.guilds.<id>.documents`; a name the corpus does not hold is a config error
at load (start-up, /reload, `check`), naming the key, so a typo never silently
answers from nothing.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..config import ConfigError, Config, DEFAULT_CONFIG_NAME
from .index import Index

Scope = frozenset[str] | None  # document ids; None: every document


class UnknownDocument(ValueError):
    """A document named by a person (`--document`, /ask's story:) that the corpus does not hold."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"no document {name!r} in the corpus (known: {', '.join(self.known) or 'none'})")


def mask(index: Index, scope: Scope) -> np.ndarray | None:
    """The passages inside the scope, as a mask the scorer takes (None: no filter); kept per index."""
    if scope is None:
        return None
    key = "scope:" + "\x00".join(sorted(scope))
    found = index.derived.get(key)
    if isinstance(found, np.ndarray):
        return found
    inside = np.fromiter((p.document_id in scope for p in index.passages), dtype=bool, count=len(index.passages))
    inside.setflags(write=False)
    if len(index.derived) < 512:  # a bounded handful: one per configured channel or guild scope, and per story
        index.derived[key] = inside
    return inside


def scope_of(index: Index, names: Iterable[str]) -> frozenset[str]:
    """The scope of these document ids; raises UnknownDocument naming the first the corpus lacks."""
    chosen = []
    for name in names:
        if name not in index.documents:
            raise UnknownDocument(name, sorted(index.documents))
        chosen.append(name)
    return frozenset(chosen)


def check_scopes(config: Config, index: Index) -> None:
    """Every document the config scopes a channel or a server to must be in the corpus (ConfigError naming the key)."""
    where = str(config.source or DEFAULT_CONFIG_NAME)
    known = sorted(index.documents)
    sections = (("channels", config.discord.channels), ("guilds", config.discord.guilds))
    for section, entries in sections:
        for entry_id, entry in entries.items():
            if entry.documents is None:
                continue
            key = f"discord.{section}.{entry_id}.documents"
            if not entry.documents:
                raise ConfigError(f"{where}: '{key}' lists no document; leave it out to answer from every document")
            for i, name in enumerate(entry.documents):
                if name not in index.documents:
                    raise ConfigError(
                        f"{where}: '{key}[{i}]': no document {name!r} in the corpus (known: {', '.join(known) or 'none'})"
                    )
