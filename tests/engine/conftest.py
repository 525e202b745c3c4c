"""Fixtures shared by the engine tests: the bundled story's engine, with and without the model."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import load_config
from bot.engine import Engine

from ..conftest import CONFIG


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The story as config.yaml loads it (embedding model on)."""
    return Engine.load(CONFIG)


@pytest.fixture(scope="module")
def without_model() -> Engine:
    """The story with `semantic.enabled: false`: BM25 and the decision's fallback model."""
    config = load_config(CONFIG)
    return Engine.load(dataclasses.replace(config, semantic=dataclasses.replace(config.semantic, enabled=False)))
