"""Answer quality: SQuAD v1.1 paragraph retrieval and the story question sets.

Not part of the test run (it takes about a minute). Usage:

    python tests/bench/quality.py [--squad ../shared/squad] [--grid]

Prints, for the configured analysis and ranking (config.yaml) and optionally a grid
of BM25 variants/parameters: SQuAD top-1 (the best passage is the gold paragraph,
over all 2,067 paragraphs of the 48 articles), the share the bot would actually
answer correctly (top-1 and not abstaining: SQuAD questions are all answerable,
so the gap is the cost of abstention), and the story sets' accuracy/abstention.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

from bot.config import Config, RankingConfig, load_config
from bot.engine import Engine
from bot.evaluation import evaluate, load_questions

ROOT = Path(__file__).resolve().parents[2]


def squad(config: Config, squad_dir: Path, limit: int | None) -> dict[str, float]:
    config = dataclasses.replace(config, corpus=dataclasses.replace(config.corpus, path=squad_dir / "corpus"))
    engine = Engine.load(config)
    questions = [json.loads(line) for line in (squad_dir / "questions.jsonl").open(encoding="utf-8")]
    questions = questions[:limit] if limit else questions
    ranked = answered = 0
    started = time.perf_counter()
    for q in questions:
        answer = engine.ask(q["question"], 1)
        best = answer.matches[0] if answer.matches else None
        hit = bool(best and best.document.id == q["document"] and best.passage.paragraphs[0] == q["paragraph"])
        ranked += hit
        answered += hit and not answer.abstained
    elapsed = time.perf_counter() - started
    return {
        "questions": len(questions),
        "passages": engine.passages,
        "top1": ranked / len(questions),
        "answered_correctly": answered / len(questions),
        "ms_per_question": 1000 * elapsed / len(questions),
    }


def story(config: Config, path: Path) -> str:
    report = evaluate(Engine.load(config), load_questions(path))
    return (
        f"top-1 {report.ranked_first}/{report.answerable}, answered correctly "
        f"{report.answered_correctly}/{report.answerable}, abstained {report.abstained}/{report.unanswerable}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=str(ROOT / "config.yaml"))
    p.add_argument("--squad", default=str(ROOT.parent / "shared" / "squad"))
    p.add_argument("--limit", type=int, default=None, help="only the first N SQuAD questions")
    p.add_argument("--grid", action="store_true", help="also try other BM25 variants and parameters")
    args = p.parse_args()
    base = load_config(args.config)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    settings = [("configured", base.ranking)]
    if args.grid:
        for variant, k1, b in [("okapi", 1.5, 0.75), ("okapi", 1.2, 0.75), ("okapi", 0.8, 0.5),
                               ("plus", 1.2, 0.75), ("plus", 0.8, 0.5), ("l", 1.2, 0.75)]:
            settings.append((f"{variant} k1={k1} b={b}", RankingConfig(variant=variant, k1=k1, b=b)))
    story_sets = [ROOT.parent / "shared" / "story" / "dev-questions.yaml", ROOT / "tests" / "data" / "story-questions.yaml"]
    print("| ranking | SQuAD top-1 | SQuAD answered correctly | " + " | ".join(s.name for s in story_sets if s.exists()) + " |")
    for name, ranking in settings:
        config = dataclasses.replace(base, ranking=ranking)
        result = squad(config, Path(args.squad), args.limit)
        stories = [story(config, s) for s in story_sets if s.exists()]
        print(f"| {name} ({ranking.variant} k1={ranking.k1} b={ranking.b}) | {result['top1']:.4f} | "
              f"{result['answered_correctly']:.4f} | " + " | ".join(stories) + " |", flush=True)


if __name__ == "__main__":
    main()
