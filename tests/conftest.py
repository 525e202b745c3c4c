"""Shared fixtures: paths to the bundled story and config, and a way to make small corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "corpus" / "huawei-5g-canada-china.md"
CONFIG = ROOT / "config.yaml"
SHARED = ROOT.parent / "shared"  # the team's shared folder next to the checkout


def shared_file(*parts: str) -> Path:
    """A file of ../shared the tests need: missing, it fails the test (it never quietly does less)."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the tests need the shared folder next to the checkout (../shared)")
    return path


def write_corpus(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """Write {name: text or bytes} into `tmp_path/corpus` (created if needed); returns the folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in files.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def make_corpus(tmp_path: Path):
    """Write {name: text} into a fresh corpus folder beside a config that points at it."""

    def make(files: dict[str, str | bytes], config: str = "") -> Path:
        write_corpus(tmp_path, files)
        config_path = tmp_path / "config.yaml"
        config_path.write_text(config or "corpus:\n  path: corpus\n", encoding="utf-8")
        return config_path

    return make
