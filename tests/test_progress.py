"""Indexing progress: a bar on a terminal, periodic plain lines otherwise, silence for small corpora."""

from __future__ import annotations

import io
import logging

import pytest

from bot import progress as progress_module
from bot.progress import ProgressReporter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(reporter: ProgressReporter, clock: Clock, steps: list[tuple[float, int]], total: int) -> None:
    for now, done in steps:
        clock.now = now
        reporter(done, total)


def test_plain_lines_every_few_seconds_and_a_final_line() -> None:
    out, clock = io.StringIO(), Clock()
    reporter = ProgressReporter(stream=out, every=2.0, minimum=10, clock=clock)
    run(reporter, clock, [(0, 0), (0.5, 10_000), (2.1, 20_000), (3.0, 30_000), (4.5, 50_000), (5.0, 100_000)], 100_000)
    lines = out.getvalue().splitlines()
    assert lines == [
        "indexing: 20,000/100,000 passages (20%, 2 s)",
        "indexing: 50,000/100,000 passages (50%, 4 s)",
        "indexing: 100,000 passages done in 5.0 s",
    ]
    assert "\r" not in out.getvalue()


def test_terminal_gets_a_redrawn_bar_ending_with_a_newline() -> None:
    out, clock = Terminal(), Clock()
    reporter = ProgressReporter(stream=out, minimum=10, clock=clock)
    run(reporter, clock, [(0, 0), (0.05, 100), (1.0, 500), (2.0, 1000)], 1000)
    text = out.getvalue()
    frames = text.split("\r")[1:]
    assert len(frames) == 3  # the frame at 0.05 s came too soon after the first
    assert "50%" in frames[1] and "500/1,000" in frames[1] and "█" * 15 in frames[1]
    assert "100%" in frames[2] and text.endswith("\n") and text.count("\n") == 1


def test_small_corpora_show_nothing() -> None:
    out = Terminal()
    reporter = ProgressReporter(stream=out)
    for done in range(0, 13):
        reporter(done, 12)
    assert out.getvalue() == ""


def test_log_lines_go_to_the_logger_when_given(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    reporter = ProgressReporter(stream=io.StringIO(), logger=logging.getLogger("bot.test"), minimum=10, clock=clock)
    with caplog.at_level(logging.INFO, logger="bot.test"):
        run(reporter, clock, [(0, 0), (3, 50), (4, 100)], 100)
    assert [r.getMessage() for r in caplog.records] == [
        "indexing: 50/100 passages (50%, 3 s)",
        "indexing: 100 passages done in 4.0 s",
    ]


def test_check_shows_progress_for_a_large_corpus(make_corpus, monkeypatch, capsys) -> None:
    from bot.cli import main
    from bot.engine import index

    monkeypatch.setattr(progress_module, "MINIMUM", 50)
    monkeypatch.setattr(index, "SMALL", 10)
    paragraphs = "\n\n".join(f"Paragraph {i} mentions harbour number {i}." for i in range(120))
    config_path = make_corpus({"big.md": "# Big\n\n" + paragraphs})
    assert main(["check", "--config", str(config_path)]) == 0
    captured = capsys.readouterr()
    assert "indexing: 120 passages done in" in captured.err  # not a terminal: plain lines on stderr
    assert "120 passages" in captured.out and captured.out.rstrip().endswith("ok")
