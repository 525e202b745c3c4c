"""What the answer step does to the ranking, on SQuAD v1.1 in single-article mode.

Not part of the test run (about 3 minutes on 2 cores). Usage:

    python -m tests.bench.answer_step [--every 3] [--sample 40]

For every `--every`-th article (each alone as the corpus, warm), up to `--sample` of its
own questions (seed 7): the share whose right paragraph is first in `Index.rank` (BM25
re-ranked by the model), first in `engine.ask` (after the answer step's form-first rule and
second chance), and answered with the right paragraph. The cases where the two disagree are
counted too. EVALUATION.md ("Where the answer decision stands") quotes it for the rule that
the first accepted passage stands (answering.SWITCH_COVERAGE).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict

from bot.engine.answering import as_the_corpus_spells, read_question
from bot.engine.calibration.fit import ROOT, SHARED, load_config, single_article_engines, with_model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--every", type=int, default=3, help="take every n-th article (sorted by name)")
    p.add_argument("--sample", type=int, default=40, help="questions per article")
    args = p.parse_args()
    config = with_model(load_config(str(ROOT / "config.yaml")), True)
    by_article: dict[str, list[dict]] = defaultdict(list)
    with (SHARED / "squad" / "questions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            by_article[q["document"]].append(q)
    rng = random.Random(7)
    counts: Counter[str] = Counter()
    for slug, engine in single_article_engines(config, SHARED / "squad" / "corpus", sorted(by_article)[:: args.every]):
        index = engine.index
        for q in rng.sample(by_article[slug], min(args.sample, len(by_article[slug]))):

            def gold(position: int) -> bool:
                first, last = index.passages[position].paragraphs
                return first <= q["paragraph"] <= last

            tokens = read_question(index, q["question"])
            hits = index.rank(as_the_corpus_spells(index, q["question"], tokens), [t.term for t in tokens], 20)
            ranked = bool(hits) and gold(hits[0].passage)
            answer = engine.ask(q["question"])
            asked = bool(answer.matches) and gold(answer.matches[0].position)
            counts["questions"] += 1
            counts["rank_top1"] += ranked
            counts["ask_top1"] += asked
            counts["answered_right"] += asked and not answer.abstained
            if ranked != asked:
                counts["answer step lost the right first passage" if ranked else "answer step found it"] += 1
    n = counts.pop("questions")
    print(json.dumps({"questions": n, **{k: round(v / n, 4) if not k.startswith("answer step") else v for k, v in counts.items()}}, indent=1))


if __name__ == "__main__":
    main()
