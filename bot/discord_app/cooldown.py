"""Per-user question rate limit: at most N questions in any window of `per` seconds.

A sliding window (not a token bucket) so the notice can say exactly when the
user may ask again. The clock is injectable; the bot uses `time.monotonic`, which
SimCord virtualises, so tests can move time forward instead of sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable


class Cooldowns:
    def __init__(self, rate: int, per: float, clock: Callable[[], float] | None = None) -> None:
        self.rate = rate
        self.per = per
        # Looked up at call time, not bound at import, so a patched clock (SimCord's) is honoured.
        self._clock = clock or (lambda: time.monotonic())
        self._recent: dict[int, deque[float]] = {}
        self._calls = 0

    def hit(self, key: int) -> float:
        """Count one question for `key`; return 0 if allowed, else seconds until it would be."""
        if self.per <= 0:
            return 0.0
        now = self._clock()
        self._calls += 1
        if self._calls % 1024 == 0:
            self._forget_idle(now)
        recent = self._recent.setdefault(key, deque(maxlen=self.rate))
        if len(recent) >= self.rate:
            wait = recent[0] + self.per - now
            if wait > 0:
                return wait
        recent.append(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop users with no question inside the window, so memory follows active users only."""
        idle = [k for k, times in self._recent.items() if not times or now - times[-1] >= self.per]
        for key in idle:
            del self._recent[key]
