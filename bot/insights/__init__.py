"""Insights: the question/feedback log and the operator's stats.

Knows neither the engine nor Discord: the bot and the CLI hand it plain records.
"""

from .stats import Counts, Stats, compute_stats, format_stats
from .records import FeedbackRecord, QuestionRecord, new_answer_id
from .store import InsightsError, InsightsStore, database_path
from .writer import InsightsRecorder

__all__ = [
    "Counts",
    "FeedbackRecord",
    "InsightsError",
    "InsightsRecorder",
    "InsightsStore",
    "QuestionRecord",
    "Stats",
    "compute_stats",
    "database_path",
    "format_stats",
    "new_answer_id",
]
