"""Insights: the question/feedback log and the operator's stats.

Knows neither the engine nor Discord: the bot and the CLI hand it plain records.
"""

from .stats import Counts, Stats, compute_stats, format_stats
from .store import (
    FeedbackRecord,
    InsightsError,
    InsightsRecorder,
    InsightsStore,
    QuestionRecord,
    database_path,
    new_answer_id,
)

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
