"""/ask autocomplete: names and phrases from the story (engine/suggestions.py), cut to
Discord's autocomplete limits.

The suggestions are built once per index, in the background, for each index put in
service: start-up, a reload and the first keystroke never wait for them; until they
are ready, only the example questions are offered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ...engine.suggestions import Suggester, cached_suggester, suggester_for
from ..limits import CHOICE_CHARS, CHOICES

if TYPE_CHECKING:
    from ...engine import Engine
    from ..holder import EngineHolder

log = logging.getLogger(__name__)


class AskSuggestions:
    def __init__(self, holder: "EngineHolder") -> None:
        self.holder = holder
        self.warming: "asyncio.Task[object] | None" = None  # suggestions being built for a new index

    def warm(self, engine: "Engine | None" = None) -> None:
        """Start building the current index's suggestions off the event loop, once."""
        engine = self.holder.engine
        if cached_suggester(engine) is not None:
            return
        if self.warming is not None and not self.warming.done():
            return
        examples = self.holder.settings.example_questions
        self.warming = asyncio.get_running_loop().create_task(asyncio.to_thread(suggester_for, engine, examples, CHOICE_CHARS))

    def suggest(self, typed: str) -> list[str]:
        engine = self.holder.engine
        settings = self.holder.settings
        suggester = cached_suggester(engine)
        if suggester is None:
            self.warm()
            suggester = Suggester((), settings.example_questions, CHOICE_CHARS)
        return suggester.suggest(typed, CHOICES, min(CHOICE_CHARS, settings.max_question_length))
