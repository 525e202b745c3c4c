"""/help and /source (_cog.py), and their embeds (_embeds.py). The answers feature shows
the help embed too, to a bare "@bot" mention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import Help

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(Help(bot))
