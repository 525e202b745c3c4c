"""Forum mode: each new post in a forum channel listed as `forum` in `discord.channels` is
answered in its thread, once, from its title (and its first message when the operator
enabled the Message Content intent) (_cog.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import Forums

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(Forums(bot))
