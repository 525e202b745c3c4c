"""Questions in, answers out: /ask with its autocomplete, the "Ask the story bot" message
command, DMs and @mentions (_cog.py); reading a question out of a message and replying
to it (_messages.py); the /ask suggestions (_autocomplete.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import Answers

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(Answers(bot))
