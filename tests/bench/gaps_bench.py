"""How long /stats takes to group the gaps of a busy bot's log (bot/insights/gaps.py).

    python -m tests.bench.gaps_bench                  # 5,000 / 20,000 / 50,000 declined questions
    python -m tests.bench.gaps_bench --sizes 20000

Each question has 2-6 subject terms drawn from a seeded Zipfian vocabulary of 3,000
terms, asked by 5,000 people; half the log keeps question text. Prints the time of
compute_stats (all the /stats numbers) and of the gaps alone, median of 3 runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.insights import GapTerm, InsightsStore, QuestionRecord, compute_stats
from bot.insights.gaps import MAX_GAPS, compute_gaps

VOCABULARY = [f"term{i}" for i in range(3000)]
ZIPF = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def seed(store: InsightsStore, size: int, rng: random.Random) -> None:
    batch: list[QuestionRecord] = []
    for i in range(size):
        names = set(rng.choices(VOCABULARY, weights=ZIPF, k=rng.randint(2, 6)))
        terms = tuple(GapTerm(n, n, 0.5 + 3 * int(n[4:]) / len(VOCABULARY)) for n in names)
        batch.append(
            QuestionRecord(f"{i:010x}", "slash", False, user_id=rng.randrange(5000), question=f"question {i}",
                           asked_at=1_700_000_000 + i, terms=terms)
        )
        if len(batch) == 5000:
            store.write(batch)
            batch = []
    store.write(batch)


def timed(work) -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    args = parser.parse_args()
    print(f"| declined questions in the log | grouped (latest {MAX_GAPS:,}) | question text | compute_stats | gaps alone |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        for text in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                store = InsightsStore(Path(tmp) / "insights.sqlite3", b"bench-salt-0123456789", log_question_text=text)
                seed(store, size, random.Random(size))
                whole = timed(lambda: compute_stats(store, now=1_700_000_000 + size))
                gaps = timed(lambda: compute_gaps(store.query, float("-inf"), text))
                store.close()
            print(f"| {size:,} | {min(size, MAX_GAPS):,} | {'kept' if text else 'not kept'} | {whole:.2f} s | {gaps:.2f} s |")


if __name__ == "__main__":
    main()
