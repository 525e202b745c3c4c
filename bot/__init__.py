"""The story bot: answers questions about a news story by quoting and citing it.

`create_bot` is imported lazily so the engine and the command line can be used
(and tested) without importing discord.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discord_app.client import create_bot

__all__ = ["create_bot"]


def __getattr__(name: str) -> Any:
    if name == "create_bot":
        from .discord_app.client import create_bot

        return create_bot
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
