"""Which public articles the decision is fitted on, and which judge it.

By article, never by question: questions about one article share its words, so a
question-level split would let the fit see the validation articles. A third of the
articles (by a fixed hash of the slug, the same in SQuAD v1.1 and SQuAD 2.0) are
validation articles.
"""

from __future__ import annotations

import zlib


def split_of(slug: str) -> str:
    """"fit" or "validation" for an article's slug (file name without .md)."""
    return "validation" if zlib.crc32(slug.encode("utf-8")) % 3 == 0 else "fit"
