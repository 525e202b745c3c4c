"""The engine's front door: a loaded index plus the settings to answer with.

Both the command line and the Discord bot hold an Engine; reloading builds a new
Engine and swaps the reference, so a question is always answered by one whole index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config, load_config
from .answering import Answer, answer
from .index import Index, Progress, build_index
from .scope import Scope, check_scopes


@dataclass(frozen=True)
class Engine:
    config: Config
    index: Index

    @classmethod
    def load(cls, config: Config | str | Path | None = None, progress: Progress | None = None) -> "Engine":
        """Read config (if given a path) and corpus; raises ConfigError or CorpusError.

        The documents the config scopes channels and servers to are checked here, against
        the corpus just loaded: a name it lacks fails the load like any config error.
        """
        if not isinstance(config, Config):
            config = load_config(config)
        index = build_index(config, progress)
        check_scopes(config, index)
        return cls(config, index)

    def ask(self, question: str, top: int | None = None, documents: Scope = None) -> Answer:
        """Answer from the whole corpus, or only from `documents` (ids; see scope.py)."""
        # The one cut of a question (the Discord layer's is validated to be within it).
        limit = self.config.answers.max_question_chars
        return answer(
            self.index,
            question[:limit],
            top=top or self.config.answers.top,
            min_probability=self.config.answers.min_probability,
            attribution_context=self.config.passages.attribution_context,
            min_coverage=self.config.answers.min_coverage,
            max_question_chars=limit,
            documents=documents,
        )

    @property
    def documents(self) -> int:
        return len(self.index.corpus.documents)

    @property
    def passages(self) -> int:
        return len(self.index.passages)
