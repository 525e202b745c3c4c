"""The semantic re-ranking measured: SQuAD v1.1 open-corpus top-1, BM25 alone vs blended.

Not part of the test run. Usage:

    python -m tests.bench.semantic [--squad ../shared/squad] [--questions questions-1000.jsonl] [--grid]

1. End to end, the way the bot answers (`Engine.ask`, config.yaml's settings): the
   passage the bot shows is the gold paragraph ("top-1"), and it answers with it
   ("answered correctly"), with `semantic.enabled` false and true.
2. With --grid, the blend's choices, offline on the same BM25 candidates: weight,
   how BM25 is scaled within the candidates (divided by the best, or min–max), the
   number of candidates, and the passage's similarity taken from the whole passage
   or from its best sentence. "BM25 rank 1" there is rank-bm25's first passage
   before the answer decision.

Every SQuAD paragraph is embedded once and kept in the index cache (`.cache/` next
to this repository's config.yaml), so a second run starts in seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from bot.config import Config, load_config
from bot.engine import Engine
from bot.engine.semantic.ranker import blend

ROOT = Path(__file__).resolve().parents[2]


def with_corpus(config: Config, corpus: Path, **semantic: object) -> Config:
    return dataclasses.replace(
        config,
        corpus=dataclasses.replace(config.corpus, path=corpus),
        semantic=dataclasses.replace(config.semantic, **semantic),
    )


def gold(q: dict, match: object) -> bool:
    return bool(match and match.document.id == q["document"] and match.passage.paragraphs[0] == q["paragraph"])


def end_to_end(engine: Engine, questions: list[dict]) -> dict[str, float]:
    ranked = answered = 0
    times = []
    for q in questions:
        started = time.perf_counter()
        answer = engine.ask(q["question"], 1)
        times.append(time.perf_counter() - started)
        best = answer.matches[0] if answer.matches else None
        ranked += gold(q, best)
        answered += gold(q, best) and not answer.abstained
    return {
        "top1": ranked / len(questions),
        "answered_correctly": answered / len(questions),
        "median_ms": 1000 * statistics.median(times),
    }


def grid(engine: Engine, questions: list[dict]) -> None:
    index = engine.index
    ranker = index.semantic
    assert ranker is not None
    ranker.vectors.fill_now()

    cases = []
    for q in questions:
        terms = list(engine.ask(q["question"], 1).terms)
        hits = index.search(terms, 50)
        if not hits:
            cases.append(None)
            continue
        qv = ranker.question_vector(q["question"])
        positions = [h.passage for h in hits]
        rows = [ranker.vectors.rows(p) @ qv for p in positions]  # whole passage, then its sentences
        whole = np.array([r[0] for r in rows])
        best_sentence = np.array([r[1:].max() if len(r) > 1 else r[0] for r in rows])
        target = [gold(q, type("M", (), {"document": index.documents[index.passages[p].document_id], "passage": index.passages[p]})) for p in positions]
        cases.append((np.array([h.score for h in hits]), whole, best_sentence, np.array(target)))

    def top1(n: int, weight: float, scaling: str, signal: str) -> float:
        right = 0
        for case in cases:
            if case is None:
                continue
            scores, whole, best_sentence, target = (a[:n] for a in case)
            sims = {"passage": whole, "sentence": best_sentence, "mean": (whole + best_sentence) / 2,
                    "max": np.maximum(whole, best_sentence)}[signal]
            if scaling == "minmax" and len(scores) > 1 and scores.max() > scores.min():
                scaled = (scores - scores.min()) / (scores.max() - scores.min())
                combined = (1 - weight) * scaled + weight * sims
            else:
                combined = blend(scores, sims, weight)
            right += bool(target[int(np.argmax(combined))])
        return right / len(questions)

    print(f"BM25 rank 1 (before the answer decision): {top1(1, 0.0, 'max', 'passage'):.3f}")
    print("| candidates | scaling | similarity of | " + " | ".join(f"w={w}" for w in WEIGHTS) + " |")
    print("|---|---|---|" + "---|" * len(WEIGHTS))
    for n in (10, 20, 30, 50):
        for scaling in ("best", "minmax"):
            for signal in ("passage", "sentence", "mean", "max"):
                if n != 20 and (scaling != "best"):
                    continue
                row = " | ".join(f"{top1(n, w, scaling, signal):.3f}" for w in WEIGHTS)
                print(f"| {n} | {scaling} | {signal} | {row} |", flush=True)


WEIGHTS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=str(ROOT / "config.yaml"))
    p.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "squad")
    p.add_argument("--questions", default="questions-1000.jsonl")
    p.add_argument("--grid", action="store_true")
    p.add_argument("--weights", default="", help="also run end to end with these semantic.weight values, e.g. 0.3,0.7")
    args = p.parse_args()
    base = load_config(args.config)
    questions = [json.loads(line) for line in (args.squad / args.questions).open(encoding="utf-8")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{len(questions)} questions from {args.squad / args.questions}")
    corpus = args.squad / "corpus"
    semantic = Engine.load(with_corpus(base, corpus))
    assert semantic.index.semantic is not None, "the semantic model did not load"
    started = time.perf_counter()
    semantic.index.semantic.vectors.fill_now()
    print(f"{semantic.passages} passages; vectors ready in {time.perf_counter() - started:.1f} s "
          f"({semantic.index.semantic.vectors.computed} embedded now, the rest from the cache)")
    bm25 = Engine.load(with_corpus(base, corpus, enabled=False))
    print("| ranking | top-1 | answered correctly | median ms / question |")
    print("|---|---|---|---|")
    runs = [("BM25 alone", bm25), (f"blended (weight {base.semantic.weight}, {base.semantic.candidates} candidates)", semantic)]
    for weight in [float(w) for w in args.weights.split(",") if w]:
        ranker = semantic.index.semantic
        other = Engine(semantic.config, dataclasses.replace(semantic.index, semantic=type(ranker)(ranker.embedder, ranker.vectors, ranker.candidates, weight)))
        runs.append((f"blended (weight {weight})", other))
    for name, engine in runs:
        r = end_to_end(engine, questions)
        print(f"| {name} | {r['top1']:.3f} | {r['answered_correctly']:.3f} | {r['median_ms']:.1f} |", flush=True)
    if args.grid:
        grid(semantic, questions)


if __name__ == "__main__":
    main()
