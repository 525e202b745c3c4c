"""Tests that use ../shared fail, rather than quietly check less, when it is missing."""

from __future__ import annotations

import pytest

from .conftest import shared_file


def test_a_missing_shared_file_fails_loudly() -> None:
    with pytest.raises(FileNotFoundError, match=r"no-such-file\.yaml: the tests need the shared folder"):
        shared_file("story", "no-such-file.yaml")
    assert shared_file("story", "article.txt").is_file()
