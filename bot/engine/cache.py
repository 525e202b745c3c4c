"""Persistent index cache: what is slow to compute for a corpus, kept between runs.

Two kinds of file, each named by a hash of everything its content depends on, so a
changed corpus, setting or library simply finds no file and rebuilds: never stale.

- `index-<key>.npz`, the postings of a large corpus (over index.SMALL passages).
  Analysing 100,000 passages takes seconds; loading their postings a fraction of
  one. Key: corpus content, analysis and passage settings, the versions of the
  libraries that decide the terms (snowballstemmer, PyStemmer, Python's Unicode tables), and
  this format's version.
- `vectors-<key>.npz`, the passages' sentence vectors (semantic/vectors.py), for a
  corpus of any size (embedding is slower than analysing: the story's 12 passages
  take a noticeable part of a second). Key: corpus content, passage settings, and
  the embedder's identity (model file SHA-256, tokenizer file SHA-256, onnxruntime,
  tokenizers and model package versions). A separate file because its inputs
  differ (changing stemming keeps the vectors) and because it is written later,
  by the background fill, possibly in several steps (`done` marks what is there).

Format: one uncompressed numpy `.npz` (loaded with allow_pickle=False, so a
tampered file can't run code) holding the arrays plus a JSON header. A missing,
truncated or inconsistent file is ignored and rebuilt; files are written to a
temporary name and renamed, so readers never see half a file. Ranking settings
(k1, b, variant…) are applied when loading, so changing them reuses the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import importlib.metadata
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable

import numpy as np

from .scoring import PostingsArrays

log = logging.getLogger(__name__)

# Bump when the file layout changes, or when code that decides a passage's terms changes
# (splitting, attribution, title terms) in a way the settings in the key don't show.
FORMAT = 1
VECTORS_FORMAT = 2  # bump when the texts embedded for a passage change (semantic/vectors.unit_texts)
KEEP = 3  # cache files of each kind kept per folder (most recently used first)
_ARRAYS = ("offsets", "doc_ids", "tf", "lengths")


def analysis_versions() -> dict[str, str]:
    """Versions of what decides a passage's terms besides our code and settings.

    A new Snowball release can stem a word differently, and a new Unicode version
    folds some characters differently: either makes cached postings wrong. The
    stemmer that runs is PyStemmer's C build of Snowball when it is installed (see
    analysis.py), snowballstemmer's pure-Python one otherwise: both versions count.
    """
    return {
        "snowballstemmer": _version("snowballstemmer"),
        "pystemmer": _version("pystemmer"),
        "unicode": unicodedata.unidata_version,
    }


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def cache_key(content_hash: str, analysis_settings: object, passage_settings: object) -> str:
    """Hash of everything the cached postings depend on.

    `passage_settings` is the PassagesConfig: splitting and what is indexed with a
    passage (speaker names, titles) change its terms.
    """
    material = json.dumps(
        {
            "format": FORMAT,
            "corpus": content_hash,
            "analysis": repr(analysis_settings),
            "passages": repr(passage_settings),
            "libraries": analysis_versions(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def vectors_key(content_hash: str, passage_settings: object, embedder_identity: str) -> str:
    """Hash of everything cached passage vectors depend on (see the module docstring)."""
    material = json.dumps(
        {
            "format": VECTORS_FORMAT,
            "corpus": content_hash,
            "passages": repr(passage_settings),
            "embedder": embedder_identity,
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"index-{key[:32]}.npz"


def vectors_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"vectors-{key[:32]}.npz"


def load(cache_dir: Path, key: str, passages: int) -> PostingsArrays | None:
    """The cached postings for `key`, or None when missing, unreadable or inconsistent."""
    path = cache_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode("utf-8"))
            if header.get("format") != FORMAT or header.get("key") != key:
                raise ValueError("header does not match")
            arrays = {name: data[name] for name in _ARRAYS}
            blob = data["terms"].tobytes().decode("utf-8")
        terms = blob.split("\n") if blob or header.get("terms") else []
        postings = _validated(terms, arrays, passages)
    except Exception as exc:  # noqa: BLE001 - any damage means "rebuild", never "crash"
        log.info("index cache %s is unusable (%s); rebuilding it", path, exc)
        return None
    try:
        os.utime(path)  # most recently used, for the clean-up in save()
    except OSError:
        pass
    return postings


def _validated(terms: list[str], arrays: dict[str, np.ndarray], passages: int) -> PostingsArrays:
    offsets, doc_ids, tf, lengths = (arrays[name] for name in _ARRAYS)
    if offsets.dtype != np.int64 or doc_ids.dtype != np.int32 or tf.dtype != np.int32 or lengths.dtype != np.int32:
        raise ValueError("unexpected array types")
    if len(lengths) != passages:
        raise ValueError(f"{len(lengths)} passages cached, {passages} in the corpus")
    if len(offsets) != len(terms) + 1 or offsets[0] != 0 or offsets[-1] != len(doc_ids) or len(tf) != len(doc_ids):
        raise ValueError("postings sizes do not add up")
    if len(terms) and np.any(np.diff(offsets) <= 0):
        raise ValueError("empty or negative postings")
    if len(doc_ids) and (doc_ids.min() < 0 or doc_ids.max() >= passages or tf.min() < 1):
        raise ValueError("posting out of range")
    if int(tf.sum(dtype=np.int64)) != int(lengths.sum(dtype=np.int64)):
        raise ValueError("term counts do not match passage lengths")
    if len(set(terms)) != len(terms):
        raise ValueError("duplicate terms")
    return PostingsArrays(terms, offsets, doc_ids, tf, lengths)


def save(cache_dir: Path, key: str, postings: PostingsArrays) -> Path | None:
    """Write the cache atomically; returns the path, or None if it could not be written."""
    blob = "\n".join(postings.terms)
    if blob.count("\n") != max(len(postings.terms) - 1, 0):
        log.info("not caching the index: a term contains a line break")
        return None
    header = {"format": FORMAT, "key": key, "terms": len(postings.terms), "passages": len(postings.lengths)}
    path = cache_path(cache_dir, key)

    def write(out: object) -> None:
        np.savez(
            out,
            header=_json_array(header),
            terms=np.frombuffer(blob.encode("utf-8"), dtype=np.uint8),
            offsets=postings.offsets,
            doc_ids=postings.doc_ids,
            tf=postings.tf,
            lengths=postings.lengths,
        )

    if not _write_atomically(path, write, "the index cache", "start-up will index again next time"):
        return None
    _clean(cache_dir, keep=path, kind="index")
    return path


def load_vectors(
    cache_dir: Path, key: str, passages: int, dimensions: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The cached (offsets int64 (n + 1,), vectors float16 (rows, d), done bool (n,)), or None when missing or damaged.

    Passage p's rows are vectors[offsets[p]:offsets[p + 1]]: none for a passage not done."""
    path = vectors_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode("utf-8"))
            if header.get("format") != VECTORS_FORMAT or header.get("key") != key:
                raise ValueError("header does not match")
            offsets, vectors, done = data["offsets"], data["vectors"], data["done"]
        if offsets.dtype != np.int64 or vectors.dtype != np.float16 or done.dtype != np.bool_:
            raise ValueError("unexpected array types")
        if done.shape != (passages,) or offsets.shape != (passages + 1,):
            raise ValueError(f"vectors for {len(done)} passages cached, {passages} in the corpus")
        counts = np.diff(offsets)
        if offsets[0] != 0 or np.any(counts[done] <= 0) or np.any(counts[~done] != 0):
            raise ValueError("vector rows do not add up")
        if vectors.shape != (int(offsets[-1]), dimensions):
            raise ValueError("vector rows do not add up")
        # A sample is checked, not all rows: a full check of 100,000 would cost start-up time,
        # and a file whose bytes are damaged fails its zip checksum before this anyway.
        rows = offsets[:-1][done]
        sample = vectors[rows[:: max(1, len(rows) // 1000)]].astype(np.float32)
        norms = np.linalg.norm(sample, axis=1)
        if len(norms) and not (np.all(np.isfinite(norms)) and np.abs(norms - 1).max() < 0.01):
            raise ValueError("vectors that are not unit length")
    except Exception as exc:  # noqa: BLE001 - any damage means "embed again", never "crash"
        log.info("passage vectors cache %s is unusable (%s); embedding again", path, exc)
        return None
    try:
        os.utime(path)
    except OSError:
        pass
    return offsets, vectors, done


def save_vectors(cache_dir: Path, key: str, offsets: np.ndarray, vectors: np.ndarray, done: np.ndarray) -> Path | None:
    """Write passage vectors atomically (only passages marked done count when read back)."""
    header = {"format": VECTORS_FORMAT, "key": key, "passages": len(done), "done": int(done.sum())}
    path = vectors_path(cache_dir, key)

    def write(out: object) -> None:
        np.savez(out, header=_json_array(header), offsets=offsets, vectors=vectors, done=done)

    if not _write_atomically(path, write, "the passage vectors cache", "passages will be embedded again next time"):
        return None
    _clean(cache_dir, keep=path, kind="vectors")
    return path


def _json_array(header: dict[str, object]) -> np.ndarray:
    return np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)


def _write_atomically(path: Path, write: Callable[[object], None], what: str, consequence: str) -> bool:
    """Write to a temporary file in the same folder, fsync, rename: readers never see half a file."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem.split('-')[0]}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.warning("could not write %s in %s (%s); %s", what, path.parent, exc, consequence)
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return True


def _clean(cache_dir: Path, keep: Path, kind: str) -> None:
    """Remove all but the KEEP most recently used files of this kind (old corpora, old settings)."""
    try:
        files = sorted(cache_dir.glob(f"{kind}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [f for f in files if f != keep][KEEP - 1 :]:
            old.unlink()
    except OSError:
        pass
