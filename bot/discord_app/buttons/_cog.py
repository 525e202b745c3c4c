"""The Cog that registers the buttons, so a click on any answer the bot ever posted is
handled, also after a restart (the buttons keep no state: their custom ids carry it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from ._buttons import BUTTONS

if TYPE_CHECKING:
    from ..client import StoryBot


class Buttons(commands.Cog):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*BUTTONS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*BUTTONS)
