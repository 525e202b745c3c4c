"""Re-ranking BM25's candidates by meaning, and the `semantic` settings that steer it."""

from __future__ import annotations

import numpy as np
import pytest

from bot.config import ConfigError, parse_config
from bot.engine import Engine
from bot.engine.semantic.ranker import blend

# BM25 prefers the passage that says "detained" (twice) about a shipment; the one that answers says
# "arrested" and "held in custody". Both hold two of the question's three words, so both would answer.
DECOY = "Customs detained the company's shipment at the border, and it stayed detained for a month."
ANSWER = "Police arrested the company's finance executive, and she was held in custody."
CORPUS = {
    "a.md": "# Alpha\n\n"
    + "\n\n".join(
        [
            DECOY,
            ANSWER,
            "The weather was cold in Ottawa that week.",
            "Farmers sold canola to China for years.",
            "Trade talks stalled in the spring.",
        ]
    )
}
QUESTION = "Which company executive was detained?"


def engine_with(make_corpus, semantic: str = "") -> Engine:
    return Engine.load(make_corpus(CORPUS, "corpus:\n  path: corpus\n" + semantic))


def test_blend_is_bm25_scaled_to_the_best_plus_weighted_cosine() -> None:
    scores = np.array([10.0, 5.0, 0.0])
    sims = np.array([0.2, 0.9, 0.5])
    # 0.3 × (1, 0.5, 0) + 0.7 × (0.2, 0.9, 0.5), worked out by hand.
    assert np.allclose(blend(scores, sims, 0.7), [0.44, 0.78, 0.35])
    assert np.allclose(blend(scores, sims, 0.0), [1.0, 0.5, 0.0])
    assert np.allclose(blend(scores, sims, 1.0), sims)
    assert np.allclose(blend(np.zeros(2), np.array([0.1, 0.4]), 0.5), [0.05, 0.2])  # no BM25 signal


def test_bm25_alone_ranks_the_decoy_first(make_corpus) -> None:
    engine = engine_with(make_corpus, "semantic:\n  enabled: false\n")
    answer = engine.ask(QUESTION, top=5)
    assert not answer.abstained and answer.matches[0].passage.text == DECOY
    assert all(m.similarity is None for m in answer.matches)


def test_re_ranking_puts_the_paraphrase_first(make_corpus) -> None:
    engine = engine_with(make_corpus)
    ranked = engine.index.rank(QUESTION, list(engine.ask(QUESTION).terms), 5)
    texts = [engine.index.passages[c.passage].text for c in ranked]
    assert texts[0] == ANSWER and DECOY in texts
    best, decoy = ranked[0], ranked[texts.index(DECOY)]
    assert best.score < decoy.score  # BM25 still says the decoy...
    assert best.similarity > decoy.similarity  # ...the meaning says otherwise, and wins the blend
    # Each candidate carries its signals, and the order is the blend's.
    top_bm25 = max(c.score for c in ranked)
    for c in ranked:
        assert c.blended == pytest.approx(0.5 * c.score / top_bm25 + 0.5 * c.similarity)
    assert [c.blended for c in ranked] == sorted((c.blended for c in ranked), reverse=True)
    # Through the engine: the answer is the paraphrase, and its similarity is on the match.
    answer = engine.ask(QUESTION)
    assert not answer.abstained and answer.matches[0].passage.text == ANSWER
    assert answer.matches[0].similarity == pytest.approx(best.similarity)


def test_weight_zero_keeps_bm25s_order(make_corpus) -> None:
    engine = engine_with(make_corpus, "semantic:\n  weight: 0\n")
    ranked = engine.index.rank(QUESTION, list(engine.ask(QUESTION).terms), 5)
    assert engine.index.passages[ranked[0].passage].text == DECOY
    assert all(c.similarity is not None for c in ranked)  # still measured, for the decision


def test_only_bm25s_best_candidates_are_re_ranked(make_corpus) -> None:
    # With one candidate there is nothing to re-order: BM25's best stays first.
    engine = engine_with(make_corpus, "semantic:\n  candidates: 1\n")
    ranked = engine.index.rank(QUESTION, list(engine.ask(QUESTION).terms), 5)
    assert engine.index.passages[ranked[0].passage].text == DECOY
    # A passage sharing no word with the question is never a candidate, however close in meaning.
    assert engine.index.rank("Who was jailed?", ["jail"], 5) == []


@pytest.mark.parametrize(
    "text, key",
    [
        ("semantic:\n  weight: 1.5\n", "'semantic.weight' must be between 0.0 and 1.0"),
        ("semantic:\n  candidates: 0\n", "'semantic.candidates' must be between 1 and 200"),
        ("semantic:\n  candidates: 2.5\n", "'semantic.candidates' must be a whole number"),
        ("semantic:\n  enabled: maybe\n", "'semantic.enabled' must be true or false"),
        ("semantic:\n  modle: x.onnx\n", "unknown setting 'semantic.modle'"),
        ("semantic: [1]\n", "'semantic' must be a mapping of settings"),
    ],
)
def test_semantic_settings_are_validated_by_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.").replace("(", r"\(")):
        parse_config(text)


def test_semantic_defaults() -> None:
    semantic = parse_config("").semantic
    assert (semantic.enabled, semantic.candidates, semantic.weight, semantic.model) == (True, 20, 0.5, None)


def test_sentence_similarities_follow_the_passages_sentences(make_corpus) -> None:
    two = "Police arrested the finance executive in Vancouver. The weather was cold that week."
    engine = Engine.load(make_corpus({"a.md": "# A\n\n" + two + "\n\nFarmers sold canola to China."}))
    ranker = engine.index.semantic
    sims = ranker.sentence_similarities("Who was arrested?", 0)
    assert len(sims) == 2 and sims[0] > sims[1] + 0.2  # the arrest sentence, not the weather
    # The passage's similarity is the best of the whole passage and its sentences.
    whole = float(ranker.embedder.embed([two])[0] @ ranker.question_vector("Who was arrested?"))
    (candidate,) = ranker.rerank("Who was arrested?", engine.index.search(["arrest"], 1))
    assert candidate.similarity == pytest.approx(max(whole, *sims), abs=2e-3)
    assert len(ranker.sentence_similarities("Who farms?", 1)) == 1  # one sentence: the passage itself
