"""Persistent index cache: the postings of a large corpus, kept between runs.

Analysing 100,000 passages takes seconds; loading their postings takes a fraction
of one. The cache file is named by a hash of everything the postings depend on
(corpus content, analysis settings, passage splitting, this format's version), so
a changed corpus or setting simply finds no file and rebuilds: it is never stale.

Format: one uncompressed numpy `.npz` (loaded with allow_pickle=False, so a
tampered file can't run code) holding the arrays plus a JSON header. A missing,
truncated or inconsistent file is ignored and rebuilt; files are written to a
temporary name and renamed, so readers never see half a file. Ranking settings
(k1, b, variant…) are applied when loading, so changing them reuses the cache.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from .scoring import PostingsArrays

log = logging.getLogger(__name__)

# Bump when the file layout changes, or when code that decides a passage's terms changes
# (splitting, attribution, title terms) in a way the settings in the key don't show.
FORMAT = 1
KEEP = 3  # cache files kept per folder (most recently used first)
_ARRAYS = ("offsets", "doc_ids", "tf", "lengths")


def analysis_versions() -> dict[str, str]:
    """Versions of what decides a passage's terms besides our code and settings.

    A new Snowball release can stem a word differently, and a new Unicode version
    folds some characters differently: either makes cached postings wrong.
    """
    try:
        snowball = importlib.metadata.version("snowballstemmer")
    except importlib.metadata.PackageNotFoundError:
        snowball = "absent"
    return {"snowballstemmer": snowball, "unicode": unicodedata.unidata_version}


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


def cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"index-{key[:32]}.npz"


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
    tmp = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".index-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            np.savez(
                out,
                header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                terms=np.frombuffer(blob.encode("utf-8"), dtype=np.uint8),
                offsets=postings.offsets,
                doc_ids=postings.doc_ids,
                tf=postings.tf,
                lengths=postings.lengths,
            )
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.warning("could not write the index cache in %s (%s); start-up will index again next time", cache_dir, exc)
        return None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _clean(cache_dir, keep=path)
    return path


def _clean(cache_dir: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently used cache files (old corpora, old settings)."""
    try:
        files = sorted(cache_dir.glob("index-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [f for f in files if f != keep][KEEP - 1 :]:
            old.unlink()
    except OSError:
        pass
