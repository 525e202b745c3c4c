"""The story engine: documents → passages → analysis → BM25 index → cited answer.

Nothing here knows about Discord; the command line and the bot both call `Engine`.
"""

from .answering import Answer, Match
from .documents import CorpusError, Document
from .engine import Engine
from .passages import Passage

__all__ = ["Answer", "CorpusError", "Document", "Engine", "Match", "Passage"]
