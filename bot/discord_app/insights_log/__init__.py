"""The insights log behind /stats and the feedback buttons: opened at start-up, fed by the
question desk, closed (everything queued committed) when the bot closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import InsightsLog

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(InsightsLog(bot))
