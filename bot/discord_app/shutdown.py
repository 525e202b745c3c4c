"""Stopping the bot on SIGTERM or SIGINT without losing what it accepted.

Procfile platforms, systemd and `docker stop` stop a process with SIGTERM and kill it
after a grace period (docker: 10 s, Heroku: 30 s, systemd: 90 s). discord.py's
`Client.run` turns only Ctrl-C into a clean close: on SIGTERM the process died with the
question log still queued, the gateway open and SQLite's WAL not checkpointed. Here
both signals close the bot the same way (`StoryBot.shut_down`: the gateway first, so no
new question is accepted, then the queued log is committed), within `SHUTDOWN_SECONDS`;
after that the process exits anyway and logs how many records were not written.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass
from typing import Coroutine, Protocol

log = logging.getLogger(__name__)

# Under docker stop's 10 s, the shortest grace period of the usual hosts.
SHUTDOWN_SECONDS = 8.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stoppable(Protocol):
    """What `serve` needs of the bot (StoryBot.shut_down)."""

    async def shut_down(self, seconds: float) -> int: ...


@dataclass(frozen=True)
class Stopped:
    """How the bot stopped: on which signal (None: it stopped by itself) and what it lost."""

    signal: str | None
    unwritten: int  # accepted insights records not committed when the deadline passed

    @property
    def clean(self) -> bool:
        return self.unwritten == 0


async def serve(bot: Stoppable, running: Coroutine[object, object, None], seconds: float = SHUTDOWN_SECONDS) -> Stopped:
    """Run `running` (the bot's connection to Discord) until it ends or a stop signal comes,
    then shut the bot down within `seconds`. An exception that ended `running` (a refused
    token, no network) is raised after the bot is closed."""
    loop = asyncio.get_running_loop()
    requested: asyncio.Future[str] = loop.create_future()

    def on_signal(number: int) -> None:
        name = signal.Signals(number).name
        if requested.done():
            log.warning("%s again: already stopping (the process exits within %.0f s of the first)", name, seconds)
        else:
            requested.set_result(name)

    installed = []
    for number in STOP_SIGNALS:
        try:
            loop.add_signal_handler(number, on_signal, number)
            installed.append(number)
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread: discord.py's default
            pass
    main = asyncio.ensure_future(running)
    try:
        await asyncio.wait({main, requested}, return_when=asyncio.FIRST_COMPLETED)
        reason = requested.result() if requested.done() else None
        if reason is not None:
            log.info("%s: stopping (closing the gateway, writing the insights log; at most %.0f s)", reason, seconds)
        unwritten = await bot.shut_down(seconds)
    finally:
        for number in installed:
            loop.remove_signal_handler(number)
        requested.cancel()
        if not main.done():
            main.cancel()
        await asyncio.gather(main, return_exceptions=True)
    if not main.cancelled() and main.exception() is not None:
        raise main.exception()  # type: ignore[misc]
    if unwritten:
        log.error("stopped after %.0f s with %d insights record(s) not written (they are lost)", seconds, unwritten)
    elif reason is not None:
        log.info("stopped cleanly: gateway closed, insights log committed")
    return Stopped(reason, unwritten)
