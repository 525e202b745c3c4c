"""SimCord's idle poll, shortened for the tests that send hundreds of questions.

After every actor operation SimCord settles the bot's work, polling every 50 ms
of real time while one of its own bookkeeping callbacks is pending; that poll,
not the bot, is most of the ~55 ms each operation takes (measured: 54 ms per
/ask with the default, 3.5 ms with a 1 ms poll, on the 2-core dev machine).
The poll interval only sets how often SimCord looks again; what counts as
settled is unchanged.
"""

from __future__ import annotations

import inspect

import pytest
import simcord

POLL_SECONDS = 0.001


def fast_settle_method():
    """`Env._settle_internal` with the short poll, or None for a SimCord without this private hook
    (the tests still run, only slower)."""
    real = getattr(simcord.Env, "_settle_internal", None)
    if real is None or "idle" not in inspect.signature(real).parameters:
        return None

    async def settle(self, *, idle: float = 0.05, **kwargs):
        return await real(self, idle=min(idle, POLL_SECONDS), **kwargs)

    return settle


@pytest.fixture
def fast_settle(monkeypatch):
    settle = fast_settle_method()
    if settle is not None:
        monkeypatch.setattr(simcord.Env, "_settle_internal", settle)
