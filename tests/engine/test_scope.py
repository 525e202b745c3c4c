"""Document scopes in the engine: only passages of the scope are ever candidates, so the
answer, the other matches and an abstention's nearest passages all come from it; the
config's scopes are checked against the corpus at load."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.config import ConfigError, RankingConfig
from bot.engine import Engine
from bot.engine.scope import UnknownDocument, scope_of
from bot.engine.scoring import PostingsScorer, RankBM25Scorer

from ..conftest import ROOT, STORY
from .scoring.corpora import corpus, skewed_corpus

SECOND = ROOT / "tests" / "data" / "second-story" / "nokia-elisa-5g.md"
HUAWEI, NOKIA = "huawei-5g-canada-china", "nokia-elisa-5g"


@pytest.mark.parametrize("make", [corpus, skewed_corpus])
def test_a_masked_top_is_the_unmasked_ranking_with_the_others_left_out(make) -> None:
    """Both scorers, pruned or not: the k best inside the mask, in rank-bm25's order."""
    docs = make(5)
    config = RankingConfig()
    reference, fast = RankBM25Scorer(docs, config), PostingsScorer(docs, config)
    rng = random.Random(11)
    words = sorted({w for d in docs for w in d})
    for _ in range(60):
        within = np.array([rng.random() < 0.3 for _ in docs])
        query = [rng.choice(words) for _ in range(rng.randint(1, 4))]
        everything = [h for h in reference.top(query, len(docs)) if within[h.passage]][:5]
        for scorer in (reference, fast):
            got = scorer.top(query, 5, within)
            assert [h.passage for h in got] == [h.passage for h in everything]
            assert all(abs(a.score - b.score) < 1e-9 for a, b in zip(got, everything))
            counts = scorer.doc_freq_within(query, within)
            assert counts == {t: n for t in set(query) if (n := sum(t in docs[i] for i in range(len(docs)) if within[i]))}


@pytest.fixture(scope="module")
def two_stories(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("two")
    (folder / "corpus").mkdir()
    shutil.copy(STORY, folder / "corpus" / STORY.name)
    shutil.copy(SECOND, folder / "corpus" / SECOND.name)
    (folder / "config.yaml").write_text("corpus:\n  path: corpus\n", encoding="utf-8")
    return Engine.load(folder / "config.yaml")


def _documents(answer) -> set[str]:
    return {m.document.id for m in answer.matches + answer.nearest}


def test_a_scoped_question_is_answered_only_from_the_scope(two_stories: Engine) -> None:
    question = "Who will build Elisa's 5G network?"
    everywhere = two_stories.ask(question)
    assert not everywhere.abstained and everywhere.matches[0].document.id == NOKIA
    assert HUAWEI in _documents(everywhere)  # the other story competes when nothing scopes it

    for scope in ({NOKIA}, {HUAWEI}):
        answer = two_stories.ask(question, documents=frozenset(scope))
        assert _documents(answer) <= scope and _documents(answer)
        assert answer.to_json()["scope"] == sorted(scope)
    # The Huawei story alone never mentions Elisa: the bot says so instead of quoting ¶2.
    huawei_only = two_stories.ask(question, documents=frozenset({HUAWEI}))
    assert huawei_only.abstained and huawei_only.unknown == ("Elisa",)


def test_a_word_only_other_documents_use_is_unknown_inside_the_scope(two_stories: Engine) -> None:
    assert not two_stories.ask("Did Finland ban Huawei?").abstained
    scoped = two_stories.ask("Did Finland ban Huawei?", documents=frozenset({HUAWEI}))
    assert scoped.abstained and scoped.abstention.value == "name" and scoped.unknown == ("Finland",)
    assert scoped.nearest and {m.document.id for m in scoped.nearest} == {HUAWEI}


def test_a_question_no_scoped_passage_shares_a_word_with_is_no_match(two_stories: Engine) -> None:
    answer = two_stories.ask("When was Meng Wanzhou arrested?", documents=frozenset({NOKIA}))
    assert answer.abstention.value == "nomatch" and answer.matches == () and answer.nearest == ()
    assert not two_stories.ask("When was Meng Wanzhou arrested?").abstained


def test_an_abstention_keeps_up_to_three_nearest_passages_in_the_json_contract(two_stories: Engine) -> None:
    answer = two_stories.ask("Did Huawei sign contracts with Nokia in Brazil?", documents=frozenset({HUAWEI}))
    assert answer.abstained
    data = answer.to_json()
    assert data["passages"] == []
    assert 1 <= len(data["nearest"]) <= 3
    story = {p.paragraphs: p.text for p in two_stories.index.passages if p.document_id == HUAWEI}
    for near in data["nearest"]:
        assert set(near) == {"document", "title", "source", "paragraphs", "text", "score", "similarity", "matched_terms", "context"}
        assert near["document"] == HUAWEI and near["text"] == story[tuple(near["paragraphs"])]  # verbatim
        assert near["matched_terms"]  # each shares a word with the question
    answered = two_stories.ask("When was Meng Wanzhou arrested?").to_json()
    assert answered["nearest"] == [] and answered["passages"]


def test_scope_of_names_an_unknown_document_and_the_known_ones(two_stories: Engine) -> None:
    assert scope_of(two_stories.index, [NOKIA]) == frozenset({NOKIA})
    with pytest.raises(UnknownDocument) as raised:
        scope_of(two_stories.index, [NOKIA, "nokia"])
    assert str(raised.value) == f"no document 'nokia' in the corpus (known: {HUAWEI}, {NOKIA})"


@pytest.mark.parametrize(
    "discord, message",
    [
        (
            "  channels:\n    '42': {documents: [huawei-5g-canada-china, elisa]}\n",
            f"'discord.channels.42.documents[1]': no document 'elisa' in the corpus (known: {HUAWEI})",
        ),
        (
            "  guilds:\n    '7': {documents: [nokia]}\n",
            f"'discord.guilds.7.documents[0]': no document 'nokia' in the corpus (known: {HUAWEI})",
        ),
        ("  guilds:\n    '7': {documents: []}\n", "'discord.guilds.7.documents' lists no document; leave it out to answer from every document"),
    ],
)
def test_the_config_scopes_are_checked_against_the_corpus_at_load(tmp_path: Path, discord: str, message: str) -> None:
    (tmp_path / "corpus").mkdir()
    shutil.copy(STORY, tmp_path / "corpus" / STORY.name)
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  path: corpus\ndiscord:\n" + discord, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        Engine.load(config)
    assert str(raised.value) == f"{config}: {message}"
