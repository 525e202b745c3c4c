"""The buttons under every answer: Next match, Context, Why this?, Helpful / Not helpful.

_ids.py: their custom ids; _refs.py: restart-proof passage references inside them;
_buttons.py: the buttons and what their clicks do; _embeds.py: what Context and Why
this? show; _cog.py: registers them with the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cog import Buttons

if TYPE_CHECKING:
    from ..client import StoryBot


async def setup(bot: "StoryBot") -> None:
    await bot.add_cog(Buttons(bot))
