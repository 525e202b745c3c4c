"""The semantic signal next to BM25: sentence vectors of questions and passages.

rank-bm25 stays the ranker of record; this package re-orders BM25's best candidates
by a blend of their BM25 score and their cosine similarity to the question, and
gives each candidate that similarity for the answer decision.
"""

from .model import DIMENSIONS, MODEL_ID, MODEL_SHA256, Embedder, load_embedder, shared_embedder

__all__ = ["DIMENSIONS", "MODEL_ID", "MODEL_SHA256", "Embedder", "load_embedder", "shared_embedder"]
