"""Issue 10's targets, measured the way the bot really runs.

Not part of the test run (about two to four minutes on 2 cores). Usage:

    python -m tests.bench.targets [--sample 30] [--json FILE]

- SQuAD v1.1, single-article mode: each of the 48 articles alone is the corpus; up to
  `--sample` of its own questions (answerable) and `--sample // 2` questions drawn from
  the other articles (off-topic), both with a fixed seed.
- SQuAD v1.1, open corpus: the 48 articles together, `questions-1000.jsonl`.
- SQuAD 2.0 (21 public articles), single-article mode: up to `--sample` answerable and
  `--sample` unanswerable (crowd-written near misses) questions per article.
- The story sets (`dev-questions.yaml`, our sets in tests/data/), and the engine's median
  time per story question.

Every SQuAD number is also given for the fit and the validation articles separately
(bot/engine/calibration/split.py): the decision is fitted on the first only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from bot.config import Config, load_config
from bot.engine import Engine
from bot.engine.calibration.fit import single_article_engines
from bot.evaluation import evaluate, load_questions

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SEED = 10


def split_of(slug: str) -> str:
    try:
        from bot.engine.calibration.split import split_of as split
    except ImportError:  # before the calibration package existed ("before" numbers)
        import zlib

        return "validation" if zlib.crc32(slug.encode()) % 3 == 0 else "fit"
    return split(slug)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def with_corpus(config: Config, path: Path) -> Config:
    return dataclasses.replace(config, corpus=dataclasses.replace(config.corpus, path=path))


def right_paragraph(answer, document: str, paragraph: int) -> bool:
    best = answer.matches[0] if answer.matches else None
    if best is None or best.document.id != document:
        return False
    first, last = best.passage.paragraphs
    return first <= paragraph <= last


class Tally:
    """Counts per split ("fit", "validation") and in all."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, split: str, **values: int) -> None:
        for group in (split, "all"):
            for key, value in values.items():
                self.counts[group][key] += value

    def share(self, key: str, of: str) -> dict[str, float]:
        return {g: round(c[key] / c[of], 4) if c[of] else 0.0 for g, c in sorted(self.counts.items())}


def squad_single(config: Config, squad: Path, sample: int) -> dict[str, object]:
    questions = read_jsonl(squad / "questions.jsonl")
    by_article: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        by_article[q["document"]].append(q)
    rng = random.Random(SEED)
    tally = Tally()
    slugs = sorted(by_article)
    for slug, engine in single_article_engines(config, squad / "corpus", slugs):
        own = rng.sample(by_article[slug], min(sample, len(by_article[slug])))
        others = [q for s in slugs if s != slug for q in by_article[s]]
        foreign = rng.sample(others, sample // 2)
        split = split_of(slug)
        for q in own:
            answer = engine.ask(q["question"])
            hit = right_paragraph(answer, slug, q["paragraph"])
            tally.add(split, own=1, ranked=hit, right=hit and not answer.abstained, refused=answer.abstained)
        for q in foreign:
            answer = engine.ask(q["question"])
            tally.add(split, foreign=1, foreign_answered=not answer.abstained)
    return {
        "sample": f"{len(slugs)} articles × up to {sample} own + {sample // 2} other articles' questions",
        "own_questions": {g: c["own"] for g, c in sorted(tally.counts.items())},
        "top1": tally.share("ranked", "own"),
        "answered_right_paragraph": tally.share("right", "own"),
        "answerable_refused": tally.share("refused", "own"),
        "other_articles_answered": tally.share("foreign_answered", "foreign"),
    }


def squad_open(config: Config, squad: Path) -> dict[str, object]:
    engine = Engine.load(with_corpus(config, squad / "corpus"))
    engine.index.embed_all()  # measured warm, as a running bot answers
    questions = read_jsonl(squad / "questions-1000.jsonl")
    tally = Tally()
    for q in questions:
        answer = engine.ask(q["question"])
        hit = right_paragraph(answer, q["document"], q["paragraph"])
        tally.add(split_of(q["document"]), n=1, ranked=hit, right=hit and not answer.abstained)
    return {
        "sample": f"questions-1000.jsonl ({len(questions)} questions), {engine.passages} passages",
        "top1": tally.share("ranked", "n"),
        "answered_correctly": tally.share("right", "n"),
    }


def squad2_single(config: Config, squad2: Path, sample: int) -> dict[str, object]:
    by_article: dict[str, dict[bool, list[dict]]] = defaultdict(lambda: {True: [], False: []})
    for q in read_jsonl(squad2 / "questions.jsonl"):
        by_article[q["document"]][bool(q["answerable"])].append(q)
    rng = random.Random(SEED)
    tally = Tally()
    for slug, engine in single_article_engines(config, squad2 / "corpus", sorted(by_article)):
        split = split_of(slug)
        groups = by_article[slug]
        for q in rng.sample(groups[True], min(sample, len(groups[True]))):
            answer = engine.ask(q["question"])
            hit = right_paragraph(answer, slug, q["paragraph"])
            tally.add(split, answerable=1, right=hit and not answer.abstained, refused=answer.abstained)
        for q in rng.sample(groups[False], min(sample, len(groups[False]))):
            answer = engine.ask(q["question"])
            tally.add(split, unanswerable=1, declined=answer.abstained)
    return {
        "sample": f"{len(by_article)} articles × up to {sample} answerable + {sample} unanswerable questions",
        "unanswerable_declined": tally.share("declined", "unanswerable"),
        "answerable_right_paragraph": tally.share("right", "answerable"),
        "answerable_refused": tally.share("refused", "answerable"),
    }


STORY_SETS = [
    SHARED / "story" / "dev-questions.yaml",
    ROOT / "tests" / "data" / "story-questions.yaml",
    ROOT / "tests" / "data" / "member-questions-dev.yaml",
    ROOT / "tests" / "data" / "member-questions-heldout.yaml",
]


def story(config: Config) -> dict[str, object]:
    engine = Engine.load(config)
    results: dict[str, object] = {}
    questions: list[str] = []
    for path in STORY_SETS:
        if not path.exists():
            continue
        qs = load_questions(path)
        report = evaluate(engine, qs)
        results[path.name] = {
            "answerable": report.answerable,
            "answered_correctly": report.answered_correctly,
            "top1": report.ranked_first,
            "unanswerable": report.unanswerable,
            "declined": report.abstained,
        }
        questions += [a.question for a in qs.answerable] + [q for q, _ in qs.unanswerable]
    times = []
    for _ in range(3):
        for q in questions:
            started = time.perf_counter()
            engine.ask(q)
            times.append(time.perf_counter() - started)
    results["median_ms_per_question"] = round(1000 * statistics.median(times), 2)
    results["p95_ms_per_question"] = round(1000 * sorted(times)[int(0.95 * len(times))], 2)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=str(ROOT / "config.yaml"))
    p.add_argument("--sample", type=int, default=30, help="questions per article in single-article mode")
    p.add_argument("--only", choices=["squad", "open", "squad2", "story"], action="append")
    p.add_argument("--json", metavar="FILE", help="also write the results here")
    args = p.parse_args()
    config = load_config(args.config)
    only = set(args.only or ["squad", "open", "squad2", "story"])
    started = time.perf_counter()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    }
    steps = {
        "story": lambda: story(config),
        "squad": lambda: squad_single(config, SHARED / "squad", args.sample),
        "open": lambda: squad_open(config, SHARED / "squad"),
        "squad2": lambda: squad2_single(config, SHARED / "squad2", args.sample),
    }
    for name, step in steps.items():
        if name in only:
            t = time.perf_counter()
            results[name] = step()
            results[name]["seconds"] = round(time.perf_counter() - t, 1)  # type: ignore[index]
            print(name, json.dumps(results[name], indent=1), flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    print("total seconds", results["seconds"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
