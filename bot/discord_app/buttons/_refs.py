"""Compact, restart-proof references to passages, for button custom ids (limits.CUSTOM_ID: 100 characters).

A reference names a passage by a short hash of its document id (ids are file paths
and can be long), its paragraph and part, and a fingerprint of its text. It is
resolved against whatever index is in service: after a reload that removed or
changed the passage, it resolves to nothing and the button says so, instead of
showing a different passage under an old citation.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from ...engine import Engine
from ...engine.index import Index
from ...engine.passages import Passage

_REF = re.compile(r"^([a-z2-7]{6})\.(\d{1,6})\.(\d{1,4})\.([0-9a-f]{4})$")


def doc_key(document_id: str) -> str:
    digest = hashlib.sha1(document_id.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:6].lower()


def fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:4]


@dataclass(frozen=True)
class PassageRef:
    doc: str  # doc_key of the document id
    paragraph: int
    part: int
    fp: str

    @classmethod
    def of(cls, passage: Passage) -> "PassageRef":
        return cls(doc_key(passage.document_id), passage.paragraphs[0], passage.part, fingerprint(passage.text))

    def encode(self) -> str:
        return f"{self.doc}.{self.paragraph}.{self.part}.{self.fp}"

    @classmethod
    def decode(cls, text: str) -> "PassageRef | None":
        match = _REF.match(text)
        if match is None:
            return None
        return cls(match.group(1), int(match.group(2)), int(match.group(3)), match.group(4))


def _documents_by_key(index: Index) -> dict[str, list[str]]:
    """Document ids by their short key; built once per index, kept (and freed) with it."""
    found = index.derived.get("documents_by_key")
    if isinstance(found, dict):
        return found
    keys: dict[str, list[str]] = {}
    for document in index.corpus.documents:
        keys.setdefault(doc_key(document.id), []).append(document.id)
    index.derived["documents_by_key"] = keys  # a race builds the same dict twice: harmless
    return keys


def document_id(engine: Engine, ref: PassageRef) -> str | None:
    """The document the reference points into, if the index still has it."""
    return document_of_key(engine, ref.doc)


def document_of_key(engine: Engine, key: str) -> str | None:
    """The document with this short key (doc_key), if the index has it."""
    ids = _documents_by_key(engine.index).get(key, [])
    return ids[0] if ids else None


def resolve(engine: Engine, ref: PassageRef) -> int | None:
    """Position of the referenced passage in the index in service, or None if it is gone or changed."""
    index = engine.index
    for doc_id in _documents_by_key(index).get(ref.doc, []):
        position = index.position.get((doc_id, ref.paragraph, ref.part))
        if position is not None and fingerprint(index.passages[position].text) == ref.fp:
            return position
    return None
