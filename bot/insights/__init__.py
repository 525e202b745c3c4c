"""Insights: the question/feedback log and the operator's stats.

Knows neither the engine nor Discord: the bot and the CLI hand it plain records.
The log is a SQLite file, or PostgreSQL when the host provides one (DATABASE_URL).
"""

from .stats import Counts, Stats, compute_stats, format_stats
from .records import FeedbackRecord, QuestionRecord, new_answer_id
from .store import InsightsError, InsightsStore, database_location, database_path, is_postgres_url
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
    "database_location",
    "database_path",
    "is_postgres_url",
    "format_stats",
    "new_answer_id",
]
