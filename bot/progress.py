"""Indexing progress for operators: a bar on a terminal, periodic log lines elsewhere.

Indexing an archive of 100,000 passages takes seconds; a silent terminal looks
hung. A small corpus (the story) indexes in a blink, so nothing is shown for it.
`ProgressReporter` is the `progress` callback of `Engine.load` / `build_index`.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

MINIMUM = 5000  # passages; smaller corpora index too fast to need progress


class ProgressReporter:
    """Callable (done, total): redraws a bar at most every `redraw` s on a terminal;
    otherwise writes a line (to `logger` if given, else to `stream`) every `every` s."""

    def __init__(
        self,
        label: str = "indexing",
        stream: TextIO | None = None,
        logger: logging.Logger | None = None,
        minimum: int | None = None,
        every: float = 2.0,
        redraw: float = 0.1,
        width: int = 30,
        clock=time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.logger = logger
        self.minimum = MINIMUM if minimum is None else minimum
        self.every = every
        self.redraw = redraw
        self.width = width
        self.clock = clock
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self._last: float | None = None
        self._started: float | None = None
        self._finished = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.minimum:
            return
        now = self.clock()
        if self._started is None or (self._finished and done < total):
            self._started, self._last, self._finished = now, None, False
        if self._finished:
            return
        final = done >= total
        interval = self.redraw if self.terminal else self.every
        if not final and self._last is not None and now - self._last < interval:
            return
        if self._last is None and not final and not self.terminal:
            self._last = now  # the first plain line comes after `every` s, not at 0 %
            return
        self._last = now
        if self.terminal:
            self._draw(done, total, now, final)
        else:
            self._line(done, total, now, final)
        self._finished = final

    def _draw(self, done: int, total: int, now: float, final: bool) -> None:
        share = min(done / total, 1.0)
        filled = int(share * self.width)
        bar = "█" * filled + "░" * (self.width - filled)
        elapsed = now - self._started if self._started is not None else 0.0
        tail = f"{elapsed:.1f} s" if final else _eta(share, elapsed)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%} {done:,}/{total:,} passages {tail}   ")
        if final:
            self.stream.write("\n")
        self.stream.flush()

    def _line(self, done: int, total: int, now: float, final: bool) -> None:
        elapsed = now - self._started if self._started is not None else 0.0
        if final:
            text = f"{self.label}: {total:,} passages done in {elapsed:.1f} s"
        else:
            text = f"{self.label}: {done:,}/{total:,} passages ({done / total:.0%}, {elapsed:.0f} s)"
        if self.logger is not None:
            self.logger.info(text)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()


def _eta(share: float, elapsed: float) -> str:
    if share <= 0 or elapsed < 0.5:
        return ""
    return f"~{elapsed * (1 - share) / share:.0f} s left"
