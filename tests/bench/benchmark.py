"""Speed, memory and exactness of the engine on synthetic corpora, against rank-bm25 and bm25s.

    python -m tests.bench.benchmark                       # 10k, 100k, 300k passages (~15 min)
    python -m tests.bench.benchmark --sizes 10000 --queries 50   # a quick look

For each size it generates a deterministic corpus (tests/bench/synthetic.py), writes
it as .md files and measures, in one run:
- cold build (no cache) in a fresh process: wall time and peak RSS (getrusage);
- start-up to ready in a fresh process with the index cache (process start to
  `Engine.load` returned, imports included), and the same for the bundled story;
- query latency, one thread: analysis + scoring + top 5 (`analyzer.terms` +
  `scorer.top`), and the whole `engine.ask` (answer, context, coverage);
- rank-bm25 (`get_scores` + top 5) for BM25Plus (the configured default) and
  BM25Okapi (k1, b, epsilon from the config) on the same analysed passages, and
  checks that every query's top 5 passages and scores equal the engine's;
- bm25s (robertson, and bm25+) retrieving the top 5, one query at a time.
Prints a Markdown table (copy it into BENCHMARKS.md) and writes JSON with --json.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "corpus:\n  path: corpus\npassages:\n  max_chars: 2000\ncache_dir: .cache\n"
# --no-model: BM25 alone. With the model, a fresh archive is embedded by a background thread
# for minutes after start-up, and the timings here include that thread's competition.
NO_MODEL = "semantic:\n  enabled: false\n"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f}"


# --- phases run in a fresh process (so memory and start-up are not flattered by this one) ---------


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage: on Linux ru_maxrss survives
    exec, so a child started by a big parent would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_build(config_path: str) -> dict:
    from bot.engine import Engine

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    engine = Engine.load(config_path)
    seconds = time.perf_counter() - started
    assert not engine.index.from_cache
    return {
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rss_after_imports_mb": rss_before,
        "passages": engine.passages,
    }


def phase_startup(config_path: str) -> dict:
    from bot.engine import Engine

    engine = Engine.load(config_path)
    return {"from_cache": engine.index.from_cache, "passages": engine.passages}


def in_child(phase: str, config_path: Path) -> tuple[dict, float]:
    """Run a phase in a new interpreter; returns its JSON result and the wall time of the whole process."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.benchmark", "--phase", phase, "--config", str(config_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1]), time.perf_counter() - started


# --- in-process measurements ------------------------------------------------------------------------


def reference_top(bm25, candidates_of, query: list[str], k: int = 5) -> list[tuple[int, float]]:
    scores = bm25.get_scores(query)
    candidates = candidates_of(query)
    if not len(candidates):
        return []
    values = scores[candidates]
    order = np.lexsort((candidates, -values))[:k]
    return [(int(candidates[i]), float(values[i])) for i in order]


def time_naive(bm25, queries: list[list[str]], k: int = 5) -> list[float]:
    """rank-bm25 as documented: get_scores, then the k best."""
    times = []
    for q in queries:
        started = time.perf_counter()
        scores = bm25.get_scores(q)
        best = np.argpartition(-scores, k)[:k]
        best[np.argsort(-scores[best])]
        times.append(time.perf_counter() - started)
    return times


def measure(size: int, queries: int, workdir: Path, skip_reference: bool, model: bool = True) -> dict:
    import rank_bm25

    from bot.config import load_config
    from bot.engine import Engine, index as index_module
    from bot.engine.analysis import Analyzer
    from bot.engine.documents import load_corpus
    from bot.engine.passages import split_document
    from bot.engine.scoring import PostingsScorer

    from .synthetic import generate

    result: dict = {"passages_requested": size}
    started = time.perf_counter()
    synthetic = generate(size, queries=queries)
    folder = workdir / f"n{size}"
    shutil.rmtree(folder, ignore_errors=True)
    synthetic.write(folder)
    config_path = folder / "config.yaml"
    config_path.write_text(CONFIG + ("" if model else NO_MODEL))
    result["model"] = model
    result["generate_seconds"] = time.perf_counter() - started
    print(f"[{size:,}] corpus written in {result['generate_seconds']:.1f} s", file=sys.stderr)

    build, build_wall = in_child("build", config_path)
    result["build"] = build | {"process_seconds": build_wall}
    print(f"[{size:,}] cold build {build['seconds']:.2f} s, peak RSS {build['peak_rss_mb']:.0f} MB", file=sys.stderr)
    walls = []
    for _ in range(3):
        info, wall = in_child("startup", config_path)
        assert info["from_cache"], "start-up did not use the cache"
        walls.append(wall)
    result["startup_cached_seconds"] = statistics.median(walls)
    print(f"[{size:,}] start-up with cache {result['startup_cached_seconds']:.2f} s", file=sys.stderr)

    engine = Engine.load(config_path)
    assert engine.index.from_cache
    result["passages"] = engine.passages
    analyzer = engine.index.analyzer
    scorer = engine.index.scorer
    assert isinstance(scorer, PostingsScorer)
    texts = synthetic.queries

    # Warm-up, then latency of analysis + scoring + top 5, and of the whole answer.
    for text in texts[:20]:
        scorer.top(analyzer.terms(text), 5)
    gc.collect()
    latency = []
    for _ in range(3):
        for text in texts:
            t0 = time.perf_counter()
            scorer.top(analyzer.terms(text), 5)
            latency.append(time.perf_counter() - t0)
    ask = []
    for text in texts:
        t0 = time.perf_counter()
        engine.ask(text)
        ask.append(time.perf_counter() - t0)
    result["ours"] = {
        "median_ms": statistics.median(latency) * 1e3,
        "p99_ms": percentile(latency, 99) * 1e3,
        "max_ms": max(latency) * 1e3,
        "ask_median_ms": statistics.median(ask) * 1e3,
        "ask_p99_ms": percentile(ask, 99) * 1e3,
        "samples": len(latency),
    }
    print(f"[{size:,}] ours {result['ours']}", file=sys.stderr)
    if skip_reference:
        return result

    # The same analysed passages for the references (exactly what the engine indexed).
    config = load_config(config_path)
    corpus = load_corpus(config.corpus.path)
    passages = [p for d in corpus.documents for p in split_document(d, config.passages.max_chars)]
    terms_of = index_module._passage_terms(config, Analyzer(), corpus, passages)
    analysed = [terms_of(i) for i in range(len(passages))]
    query_terms = [analyzer.terms(t) for t in texts]
    postings = scorer.arrays

    def candidates_of(query: list[str]) -> np.ndarray:
        # Passages containing a query term, from rank-bm25's own per-passage counts.
        terms = set(query)
        return np.array([i for i, f in enumerate(bm25.doc_freqs) if not terms.isdisjoint(f)], dtype=np.int64)

    rc = config.ranking
    checks = {}
    for name, bm25_cls, kwargs, variant in (
        ("plus", rank_bm25.BM25Plus, {"k1": rc.k1, "b": rc.b, "delta": rc.delta}, "plus"),
        ("okapi", rank_bm25.BM25Okapi, {"k1": rc.k1, "b": rc.b, "epsilon": rc.epsilon}, "okapi"),
    ):
        t0 = time.perf_counter()
        bm25 = bm25_cls(analysed, **kwargs)
        built = time.perf_counter() - t0
        ours = PostingsScorer.from_arrays(postings, dataclasses.replace(rc, variant=variant))
        mismatches, max_diff = 0, 0.0
        for q in query_terms:
            want = reference_top(bm25, candidates_of, q)
            got = [(h.passage, h.score) for h in ours.top(q, 5)]
            if [p for p, _ in got] != [p for p, _ in want]:
                mismatches += 1
            for (_, a), (_, b) in zip(got, want):
                max_diff = max(max_diff, abs(a - b))
        naive = time_naive(bm25, query_terms)
        fast = []
        for _ in range(3):
            for q in query_terms:
                t1 = time.perf_counter()
                ours.top(q, 5)
                fast.append(time.perf_counter() - t1)
        checks[name] = {
            "queries": len(query_terms),
            "top5_mismatches": mismatches,
            "max_score_difference": max_diff,
            "rank_bm25_build_seconds": built,
            "rank_bm25_median_ms": statistics.median(naive) * 1e3,
            "rank_bm25_p99_ms": percentile(naive, 99) * 1e3,
            "ours_scoring_median_ms": statistics.median(fast) * 1e3,
        }
        print(f"[{size:,}] rank-bm25 {name}: {checks[name]}", file=sys.stderr)
        del bm25
        gc.collect()
    result["rank_bm25"] = checks

    import bm25s

    bm = {}
    for method, extra in (("robertson", {}), ("bm25+", {"delta": rc.delta})):
        retriever = bm25s.BM25(method=method, k1=rc.k1, b=rc.b, **extra)
        t0 = time.perf_counter()
        retriever.index(analysed, show_progress=False)
        built = time.perf_counter() - t0
        times = []
        for q in query_terms:
            t1 = time.perf_counter()
            retriever.retrieve([q or [""]], k=5, show_progress=False, n_threads=0)
            times.append(time.perf_counter() - t1)
        bm[method] = {
            "build_seconds": built,
            "median_ms": statistics.median(times) * 1e3,
            "p99_ms": percentile(times, 99) * 1e3,
        }
        print(f"[{size:,}] bm25s {method}: {bm[method]}", file=sys.stderr)
        del retriever
        gc.collect()
    result["bm25s"] = bm
    return result


def story_startup() -> float:
    walls = []
    for _ in range(5):
        info, wall = in_child("startup", ROOT / "config.yaml")
        walls.append(wall)
    return statistics.median(walls)


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "rank_bm25": version("rank-bm25"),
        "bm25s": version("bm25s"),
    }


def table(results: list[dict], story_seconds: float) -> str:
    lines = [
        "| passages | cold build (s) | peak RSS (MB) | start-up, cached (s) | ours: analysis+top5 median / p99 (ms) "
        "| engine.ask median / p99 (ms) | rank-bm25 Plus get_scores+top5 (ms) | rank-bm25 Okapi (ms) "
        "| bm25s robertson / bm25+ (ms) | ours vs rank-bm25 Plus | ours vs bm25s robertson | top-5 mismatches (Plus, Okapi) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        o = r["ours"]
        row = [
            f"{r['passages']:,}",
            f"{r['build']['seconds']:.2f}",
            f"{r['build']['peak_rss_mb']:.0f}",
            f"{r['startup_cached_seconds']:.2f}",
            f"{o['median_ms']:.3f} / {o['p99_ms']:.3f}",
            f"{o['ask_median_ms']:.3f} / {o['ask_p99_ms']:.3f}",
        ]
        if "rank_bm25" in r:
            plus, okapi, bm = r["rank_bm25"]["plus"], r["rank_bm25"]["okapi"], r["bm25s"]
            row += [
                f"{plus['rank_bm25_median_ms']:.1f}",
                f"{okapi['rank_bm25_median_ms']:.1f}",
                f"{bm['robertson']['median_ms']:.2f} / {bm['bm25+']['median_ms']:.2f}",
                f"{plus['rank_bm25_median_ms'] / o['median_ms']:.0f}x faster",
                f"{bm['robertson']['median_ms'] / o['median_ms']:.1f}x faster",
                f"{plus['top5_mismatches']}, {okapi['top5_mismatches']} of {plus['queries']} "
                f"(max score diff {max(plus['max_score_difference'], okapi['max_score_difference']):.0e})",
            ]
        else:
            row += ["–"] * 6
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append(f"Start-up to ready, bundled story (process start to Engine.load returned): {story_seconds:.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,300000", help="comma-separated passage counts")
    p.add_argument("--queries", type=int, default=200, help="benchmark questions per size")
    p.add_argument("--workdir", default=None, help="where corpora are written (default: a temporary folder)")
    p.add_argument("--no-model", action="store_true", help="semantic.enabled: false (BM25 alone)")
    p.add_argument("--no-reference", action="store_true", help="skip rank-bm25 and bm25s (faster)")
    p.add_argument("--json", default=None, help="also write the results here")
    p.add_argument("--phase", choices=["build", "startup"], help=argparse.SUPPRESS)
    p.add_argument("--config", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.phase:
        fn = phase_build if args.phase == "build" else phase_startup
        print(json.dumps(fn(args.config)))
        return 0
    info = machine()
    print(f"machine: {info}", file=sys.stderr)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="story-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        results = [measure(size, args.queries, workdir, args.no_reference, not args.no_model) for size in sizes]
    story = story_startup()
    print(table(results, story))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "story_startup_seconds": story, "sizes": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
