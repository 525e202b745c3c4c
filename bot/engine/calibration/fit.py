"""Fit the answer model on public data and write parameters.json.

    python -m bot.engine.calibration.fit                 # measure the signals, fit, write
    python -m bot.engine.calibration.fit --from-rows     # refit from the saved signals only

The data (../shared, see its SOURCE.md files), used the way the bot really runs, with
one article as the whole corpus:

- SQuAD v1.1 dev: up to SAMPLE questions of each article about that article
  (answerable, label 1) and SAMPLE // 2 drawn from the other articles (off-topic, 0);
- SQuAD 2.0 dev (21 public articles): up to SAMPLE answerable (1) and SAMPLE
  crowd-written unanswerable questions (near misses, 0) per article.

The answer step reads each question, and the signals of the first passage it tries
(signals.py) are one row: measured with the threshold at 1.0 and no second chance, so
the rows do not depend on the model being fitted (the answer step gives a lower-ranked
passage a second chance only when the first is declined). Rows are saved (ROWS, gzip'd JSON lines, rounded) so that the fit can be
re-run, and checked, without the data or the model. Only the fit articles'
rows (split.py) are fitted; the validation articles' rows report how it generalises.
Answerable, off-topic and near-miss rows weigh 0.5, 0.4 and 0.1 in all (GROUP_WEIGHT), so neither
the sample sizes nor the data sets' sizes set the prior.

Two models are fitted: with the embedding model's similarity (rows measured with the
model loaded), and without it (rows measured by BM25 alone) for a bot whose model
cannot be loaded. The threshold (answers.min_probability's default) is chosen on the
fit rows between issue 10's two budgets for single-article mode: at most THRESHOLD_REFUSED
of the answerable SQuAD v1.1 questions refused (which caps it from above) and at most
THRESHOLD_OFF_TOPIC of other articles' questions answered (which bounds it from below).
It is the middle of the thresholds that keep both, so that a new sample of questions,
which moves each rate a little, is least likely to break either; EVALUATION.md shows
what it gives elsewhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import random
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ...config import Config, load_config
from ..answering import answer
from ..engine import Engine
from . import FEATURES, PARAMETERS
from .fitting import fit_logistic
from .split import split_of

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
ROWS = ROOT / "tests" / "data" / "calibration-rows.jsonl.gz"
SAMPLE = 30
SEED = 10
L2 = 1.0
THRESHOLD_REFUSED = 0.05
THRESHOLD_OFF_TOPIC = 0.01
WITH_SIMILARITY = (
    "similarity", "coverage", "matched", "sentence", "unknown", "unknown_name", "form_missing", "number_missing", "margin", "brevity"
)
WITHOUT_SIMILARITY = tuple(f for f in WITH_SIMILARITY if f != "similarity")
# Near misses weigh least: the signals barely tell them from answerable questions (EVALUATION.md),
# and weighed as much as off-topic ones they only taught the model to distrust coverage
# (0.25: story dev set 14/18 answered right; 0.1: 17/18, SQuAD unchanged).
GROUP_WEIGHT = {"answerable": 0.5, "off_topic": 0.4, "near_miss": 0.1}
DIGITS = 5


def single_article_engines(config: Config, corpus: Path, slugs: Iterable[str]) -> Iterator[tuple[str, Engine]]:
    """One engine per article, each with that article as its whole corpus (the way the bot runs on one story)."""
    with tempfile.TemporaryDirectory() as tmp:
        for slug in slugs:
            folder = Path(tmp) / slug
            folder.mkdir()
            shutil.copy(corpus / f"{slug}.md", folder / f"{slug}.md")
            engine = Engine.load(dataclasses.replace(config, corpus=dataclasses.replace(config.corpus, path=folder)))
            engine.index.embed_all()  # as a warm bot: no question ranked while vectors are missing
            yield slug, engine


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def questions(shared: Path = SHARED, sample: int = SAMPLE) -> list[tuple[str, str, dict, str]]:
    """(data set, article, question, group) for every question used, in a fixed order."""
    rng = random.Random(SEED)
    out: list[tuple[str, str, dict, str]] = []
    v1: dict[str, list[dict]] = defaultdict(list)
    for q in _read(shared / "squad" / "questions.jsonl"):
        v1[q["document"]].append(q)
    slugs = sorted(v1)
    for slug in slugs:
        out += [("squad", slug, q, "answerable") for q in rng.sample(v1[slug], min(sample, len(v1[slug])))]
        others = [q for s in slugs if s != slug for q in v1[s]]
        out += [("squad", slug, q, "off_topic") for q in rng.sample(others, sample // 2)]
    v2: dict[str, dict[bool, list[dict]]] = defaultdict(lambda: {True: [], False: []})
    for q in _read(shared / "squad2" / "questions.jsonl"):
        v2[q["document"]][bool(q["answerable"])].append(q)
    for slug in sorted(v2):
        for answerable, group in ((True, "answerable"), (False, "near_miss")):
            pool = v2[slug][answerable]
            out += [("squad2", slug, q, group) for q in rng.sample(pool, min(sample, len(pool)))]
    return out


def row(answer, dataset: str, slug: str, q: dict, group: str) -> dict:
    best = answer.matches[0] if answer.matches else None
    right = bool(
        best is not None
        and q["document"] == slug
        and group == "answerable"
        and best.passage.paragraphs[0] <= q["paragraph"] <= best.passage.paragraphs[1]
    )
    signals = answer.signals
    values = {f: round(float(FEATURES[f](signals)), DIGITS) for f in FEATURES} if signals else None
    return {"data": dataset, "article": slug, "split": split_of(slug), "group": group, "id": q["id"], "right": right,
            "refused_early": answer.abstention.value if answer.abstention and signals is None else None, "signals": values}


def measure_rows(
    config: Config, shared: Path = SHARED, sample: int = SAMPLE, items: list[tuple[str, str, dict, str]] | None = None
) -> list[dict]:
    """Ask every question of `questions()` (or `items`) with one engine per article; one row each."""
    by_article: dict[tuple[str, str], list[tuple[dict, str]]] = defaultdict(list)
    for dataset, slug, q, group in items if items is not None else questions(shared, sample):
        by_article[dataset, slug].append((q, group))
    rows = []
    for dataset in ("squad", "squad2"):
        slugs = sorted(s for d, s in by_article if d == dataset)
        for slug, engine in single_article_engines(config, shared / dataset / "corpus", slugs):
            for q, group in by_article[dataset, slug]:
                rows.append(row(_first_candidate(engine, q["question"]), dataset, slug, q, group))
    return rows


def _first_candidate(engine: Engine, question: str):
    """The answer step's signals for the first passage it tries (the decision never accepts: threshold 1)."""
    config = engine.config
    limit = config.answers.max_question_chars
    return answer(
        engine.index,
        question[:limit],
        top=config.answers.top,
        min_probability=1.0,
        attribution_context=config.passages.attribution_context,
        max_question_chars=limit,
        second_chances=1,
    )


def _matrix(rows: list[dict], features: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    usable = [r for r in rows if r["signals"] is not None]
    x = np.array([[r["signals"][f] for f in features] for r in usable], dtype=float)
    y = np.array([r["group"] == "answerable" for r in usable], dtype=float)
    groups = [r["group"] for r in usable]
    counts = {g: groups.count(g) for g in set(groups)}
    w = np.array([GROUP_WEIGHT[g] * len(groups) / counts[g] for g in groups])
    return x, y, w


def fit_model(rows: list[dict], features: tuple[str, ...]) -> dict:
    x, y, w = _matrix([r for r in rows if r["split"] == "fit"], features)
    beta = fit_logistic(x, y, w, l2=L2)
    return {"features": list(features), "intercept": round(float(beta[0]), 4), "coefficients": [round(float(b), 4) for b in beta[1:]]}


def probabilities(model: dict, rows: list[dict]) -> np.ndarray:
    """The fitted probability of each row (0 for a question refused before the decision)."""
    beta = np.array([model["intercept"], *model["coefficients"]])
    out = np.zeros(len(rows))
    for i, r in enumerate(rows):
        if r["signals"] is not None:
            z = beta[0] + sum(c * r["signals"][f] for f, c in zip(model["features"], beta[1:]))
            out[i] = 1 / (1 + np.exp(-z))
    return out


def rates(model: dict, rows: list[dict], threshold: float) -> dict[str, float]:
    """What the model does at a threshold: the targets' numbers."""
    p = probabilities(model, rows)
    answered = p >= threshold

    def share(mask: Iterable[bool], of: Iterable[bool]) -> float:
        m, o = np.array(list(mask)), np.array(list(of))
        return round(float(m[o].mean()), 4) if o.any() else float("nan")

    v1 = [r["data"] == "squad" for r in rows]
    v2 = [r["data"] == "squad2" for r in rows]
    ans = [r["group"] == "answerable" for r in rows]
    right = [r["right"] for r in rows]
    return {
        "squad_right": share(answered & np.array(right), np.array(v1) & np.array(ans)),
        "squad_refused": share(~answered, np.array(v1) & np.array(ans)),
        "squad_off_topic_answered": share(answered, [r["group"] == "off_topic" for r in rows]),
        "squad2_near_miss_declined": share(~answered, [r["group"] == "near_miss" for r in rows]),
        "squad2_right": share(answered & np.array(right), np.array(v2) & np.array(ans)),
    }


def choose_threshold(model: dict, rows: list[dict]) -> float:
    """The middle of the thresholds (in steps of 0.01) that refuse at most THRESHOLD_REFUSED of
    SQuAD v1.1's answerable fit rows and answer at most THRESHOLD_OFF_TOPIC of its off-topic ones
    (rounded down to a step); when none keeps both, the highest keeping the first."""
    fit = [r for r in rows if r["split"] == "fit"]
    steps = [round(float(t), 2) for t in np.arange(0.05, 0.96, 0.01)]
    measured = {t: rates(model, fit, t) for t in steps}
    refusing = [t for t in steps if measured[t]["squad_refused"] <= THRESHOLD_REFUSED] or [steps[0]]
    both = [t for t in refusing if measured[t]["squad_off_topic_answered"] <= THRESHOLD_OFF_TOPIC]
    if not both:
        return max(refusing)
    return steps[(steps.index(min(both)) + steps.index(max(both))) // 2]


def save_rows(rows: dict[str, list[dict]], path: Path = ROWS) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        for kind, items in rows.items():
            for r in items:
                f.write(json.dumps({"model": kind, **r}, separators=(",", ":")) + "\n")


def load_rows(path: Path = ROWS) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {"with_similarity": [], "without_similarity": []}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows[r.pop("model")].append(r)
    return rows


def fit_all(rows: dict[str, list[dict]]) -> dict:
    """parameters.json's content from the saved rows (deterministic)."""
    with_model = fit_model(rows["with_similarity"], WITH_SIMILARITY)
    without_model = fit_model(rows["without_similarity"], WITHOUT_SIMILARITY)
    threshold = choose_threshold(with_model, rows["with_similarity"])
    report = {}
    for kind, model in (("with_similarity", with_model), ("without_similarity", without_model)):
        for split in ("fit", "validation"):
            part = [r for r in rows[kind] if r["split"] == split]
            report[f"{kind} {split}"] = rates(model, part, threshold)
    return {
        "about": "Fitted by python -m bot.engine.calibration.fit (see its docstring); do not edit by hand.",
        "threshold": threshold,
        "with_similarity": with_model,
        "without_similarity": without_model,
        "rows": {k: len(v) for k, v in rows.items()},
        "at_threshold": report,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=str(ROOT / "config.yaml"))
    p.add_argument("--sample", type=int, default=SAMPLE)
    p.add_argument("--from-rows", action="store_true", help="refit from the saved rows only")
    args = p.parse_args()
    if not args.from_rows:
        config = load_config(args.config)
        rows = {
            "with_similarity": measure_rows(with_model(config, True), SHARED, args.sample),
            "without_similarity": measure_rows(with_model(config, False), SHARED, args.sample),
        }
        save_rows(rows)
    rows = load_rows()
    parameters = fit_all(rows)
    PARAMETERS.write_text(json.dumps(parameters, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(parameters, indent=1))


def with_model(config: Config, on: bool) -> Config:
    """The config with the embedding model on or off."""
    return dataclasses.replace(config, semantic=dataclasses.replace(config.semantic, enabled=on))


if __name__ == "__main__":
    main()
