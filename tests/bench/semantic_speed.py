"""What the semantic re-ranking costs: start-up, per-question latency, memory, large archives.

Not part of the test run. Usage:

    python -m tests.bench.semantic_speed story            # the bundled story (about a minute)
    python -m tests.bench.semantic_speed large [--passages 100000]   # a synthetic archive (minutes)

story:
- `python -m bot ask QUESTION` on the story, wall time of the whole process (median of
  5), with `semantic.enabled` false, with the model and a cold vector cache, and with
  the model and the cache in place; and that process's peak memory (VmHWM);
- per-question engine latency (`Engine.ask`, one thread, every question of both story
  question sets once per round, 5 rounds, question vectors not memoised between rounds),
  semantic off and on: median and p95.
large (the synthetic corpus of tests/bench/benchmark.py, index cache already built):
- start-up to ready with the postings cache and no vectors (the fill starts in the
  background after it), and the first questions' latency, which embed their candidates;
- the background fill's throughput (passages per second) over --fill-seconds;
- start-up with a complete vectors cache file (written with random unit vectors in the
  real layout and key: measuring the load, not the model) and the process's peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
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
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "When was Meng Wanzhou arrested?"
PEAK = "import atexit, sys\n" "def _peak():\n" "    for line in open('/proc/self/status'):\n" "        if line.startswith('VmHWM:'): print('PEAK', int(line.split()[1]) // 1024, file=sys.stderr)\n" "atexit.register(_peak)\n"


def run_ask(config: Path, question: str = QUESTION) -> tuple[float, int, float]:
    """Wall time, peak MB and CPU seconds (user + system, all threads) of one `python -m bot ask` process.

    CPU time is reported too because this machine is shared: wall time there includes
    waiting for a core, CPU time does not.
    """
    code = PEAK + "from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, "ask", "--config", str(config), question],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(next(line.split()[1] for line in out.stderr.splitlines() if line.startswith("PEAK")))
    return seconds, peak, cpu


def story_questions() -> list[str]:
    questions = []
    for path in (ROOT.parent / "shared" / "story" / "dev-questions.yaml", ROOT / "tests" / "data" / "story-questions.yaml"):
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            questions += [item["q"] for item in data.get("answerable", [])]
            for key in ("off_topic", "near_miss"):
                questions += [q if isinstance(q, str) else q["q"] for q in data.get(key, []) or []]
    return list(dict.fromkeys(questions))


def story(args: argparse.Namespace) -> None:
    from bot.engine import Engine

    work = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "corpus", work / "corpus")
    on, off = work / "on.yaml", work / "off.yaml"
    on.write_text("corpus:\n  path: corpus\ncache_dir: cache\n")
    off.write_text("corpus:\n  path: corpus\ncache_dir: cache\nsemantic:\n  enabled: false\n")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores when started)")
    print("| `python -m bot ask` on the story | wall time, median of 5 (s) | CPU time, median (s) | peak memory (MB) |")
    print("|---|---|---|---|")
    rows = {}
    runs = {"BM25 alone (semantic.enabled: false)": (off, False), "with the model, vectors not cached (first run)": (on, True),
            "with the model, vectors cached": (on, False)}
    for name, (config, cold) in runs.items():
        samples = []
        for _ in range(5):
            if cold:
                shutil.rmtree(work / "cache", ignore_errors=True)
            samples.append(run_ask(config))
        rows[name] = samples
        print(f"| {name} | {statistics.median(s for s, _, _ in samples):.2f} | "
              f"{statistics.median(c for _, _, c in samples):.2f} | {max(p for _, p, _ in samples)} |", flush=True)

    questions = story_questions()
    print(f"\n| engine, {len(questions)} story questions × 5 | median (ms) | p95 (ms) | CPU time, median (ms) |")
    print("|---|---|---|---|")
    for name, config in (("BM25 alone", off), ("with the model", on)):
        engine = Engine.load(config)
        times, cpu = [], []
        for _ in range(5):
            if engine.index.semantic is not None:
                engine.index.semantic._questions.clear()  # each round embeds its questions again
            for q in questions:
                started, started_cpu = time.perf_counter(), time.process_time()
                engine.ask(q)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        print(f"| {name} | {1000 * statistics.median(times):.1f} | {1000 * float(np.percentile(times, 95)):.1f} | "
              f"{1000 * statistics.median(cpu):.1f} |", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def large(args: argparse.Namespace) -> None:
    from bot.config import load_config
    from bot.engine import Engine, cache
    from bot.engine.semantic.model import DIMENSIONS, shared_embedder
    from bot.engine.semantic.vectors import unit_texts

    from .synthetic import generate

    work = Path(args.workdir)
    folder = work / f"n{args.passages}"
    config_path = folder / "config.yaml"
    synthetic = generate(args.passages)
    if not config_path.exists():
        synthetic.write(folder)
        config_path.write_text("corpus:\n  path: corpus\npassages:\n  max_chars: 2000\ncache_dir: .cache\n")
    for old in (folder / ".cache").glob("vectors-*.npz"):
        old.unlink()
    # Postings cache first (as in BENCHMARKS.md's "start-up with cache"), without the model.
    base = load_config(config_path)
    without_model = dataclasses.replace(base, semantic=dataclasses.replace(base.semantic, enabled=False))
    Engine.load(without_model)
    code = (
        PEAK
        + "import time, json; t = time.perf_counter()\n"
        + "from bot.engine import Engine\n"
        + f"e = Engine.load({str(config_path)!r})\n"
        + "print(json.dumps({'ready': time.perf_counter() - t, 'from_cache': e.index.from_cache, "
        + "'missing': e.index.semantic.vectors.missing if e.index.semantic else None}))\n"
    )

    def start() -> tuple[float, dict, int]:
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        wall = time.perf_counter() - started
        peak = int(next(line.split()[1] for line in out.stderr.splitlines() if line.startswith("PEAK")))
        return wall, json.loads(out.stdout.strip().splitlines()[-1]), peak

    wall, info, peak = start()
    print(f"{args.passages:,} passages, postings cached, no vectors: start-up {wall:.2f} s "
          f"(Engine.load {info['ready']:.2f} s), peak {peak} MB, {info['missing']:,} vectors to fill")

    engine = Engine.load(config_path)
    vectors = engine.index.semantic.vectors
    firsts = []
    for q in synthetic.queries[:50]:
        started = time.perf_counter()
        engine.ask(q)
        firsts.append(time.perf_counter() - started)
    print(f"questions before the fill (embedding their candidates): median {1000 * statistics.median(firsts):.0f} ms, "
          f"p95 {1000 * float(np.percentile(firsts, 95)):.0f} ms; {vectors.computed} passages embedded")
    before = vectors.missing
    time.sleep(args.fill_seconds)
    during = []
    for q in synthetic.queries[50:100]:
        started = time.perf_counter()
        engine.ask(q)
        during.append(time.perf_counter() - started)
    filled = before - vectors.missing
    print(f"background fill: {filled} passages in about {args.fill_seconds:.0f} s "
          f"({filled / args.fill_seconds:.1f} passages/s, {vectors.arrays()[0][-1] / max(int(vectors.done.sum()), 1):.1f} vectors per passage); "
          f"questions meanwhile: median {1000 * statistics.median(during):.0f} ms")
    hours = vectors.missing / max(filled / args.fill_seconds, 1e-9) / 3600
    print(f"(at that rate the whole archive takes about {hours:.1f} h on this machine)")

    # A complete vectors file, to measure loading it (random unit vectors in the real layout and key).
    embedder = shared_embedder(None)
    config = load_config(config_path)
    key = cache.vectors_key(engine.index.corpus.content_hash, config.passages, embedder.identity)
    del engine, vectors
    counts = [len(unit_texts(p.text)) for p in Engine.load(without_model).index.passages]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((int(offsets[-1]), DIMENSIONS)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    cache.save_vectors(folder / ".cache", key, offsets, rows.astype(np.float16), np.ones(len(offsets) - 1, dtype=bool))
    size = cache.vectors_path(folder / ".cache", key).stat().st_size
    walls = [start() for _ in range(3)]
    print(f"with a complete vectors cache ({size / 1e6:.0f} MB file): start-up median "
          f"{statistics.median(w for w, _, _ in walls):.2f} s, peak {max(p for _, _, p in walls)} MB, missing {walls[0][1]['missing']}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["story", "large"])
    p.add_argument("--passages", type=int, default=100_000)
    p.add_argument("--fill-seconds", type=float, default=30.0)
    p.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "story-bot-bench"))
    args = p.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    {"story": story, "large": large}[args.mode](args)


if __name__ == "__main__":
    main()
