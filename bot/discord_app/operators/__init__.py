"""The operators' commands, /reload and /stats (_cog.py), what they answer (_replies.py),
and the check every operator command gets from its decorator (_check.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import Operators

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(Operators(bot))
