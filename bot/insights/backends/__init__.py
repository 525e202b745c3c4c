"""The databases behind `InsightsStore`: SQLite (a file, the default) and PostgreSQL (a server).

Each supplies connections and the few statements that differ; everything the log
promises is implemented once in `bot/insights/store.py`.
"""
