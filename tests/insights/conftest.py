"""A config whose data_dir is a fresh temporary folder, so every test gets its own log."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, InsightsConfig


@pytest.fixture
def insights_config(tmp_path: Path):
    def make(**settings: object) -> Config:
        config = Config()
        return dataclasses.replace(
            config,
            data_dir=tmp_path / "data",
            insights=dataclasses.replace(InsightsConfig(), **settings),  # type: ignore[arg-type]
        )

    return make
