"""Operator commands when something underneath fails: the question log's database for
/stats, the network for the owner lookup. The operator is told what is wrong, privately;
nothing escapes as an unhandled error."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import aiohttp
import pytest

from ..conftest import World

MENG = "When was Meng Wanzhou arrested?"


async def test_stats_on_a_damaged_database_says_what_is_wrong(make_world, caplog):
    world = await make_world()
    await world.alice.slash(world.channel, "ask", question=MENG)
    store = world.insights.store
    assert world.insights.recorder.flush(timeout=10)
    with sqlite3.connect(store.path) as db:  # damaged behind the bot's back
        db.execute("DROP TABLE feedback")

    with caplog.at_level(logging.INFO, logger="bot"):
        result = await world.operator.user.slash("stats")
    assert result.ephemeral and not result.response.embeds
    text = result.response.content
    assert "statistics" in text and "no such table: feedback" in text and store.path.name in text
    assert "something went wrong" not in text  # not the generic apology
    assert world.take_errors() == ()  # no unhandled CommandInvokeError
    assert "no such table: feedback" in caplog.text


@pytest.mark.parametrize(
    "failure",
    [aiohttp.ClientConnectionError("Cannot connect to host discord.com:443"), ConnectionResetError(104, "reset"), asyncio.TimeoutError()],
    ids=["aiohttp", "OSError", "timeout"],
)
async def test_owner_lookup_failing_on_the_network_refuses_politely(make_world, caplog, failure):
    """SimCord's transport never fails below HTTP, so the network failure is modelled at
    discord.py's HTTP client: the request for the application's owner raises what aiohttp
    raises when the connection fails (not an HTTPException)."""
    world = await make_world()
    engine = world.bot.holder.engine
    http = world.bot.http
    real_request = http.request

    async def request(route, **kwargs):
        if route.path == "/oauth2/applications/@me":
            raise failure
        return await real_request(route, **kwargs)

    http.request = request  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO, logger="bot"):
        result = await world.admin.slash(world.channel, "reload")
    assert result.ephemeral
    assert "couldn't check" in result.response.content and "try again" in result.response.content
    assert "something went wrong" not in result.response.content
    assert world.bot.holder.engine is engine  # nothing reloaded
    assert world.take_errors() == ()
    assert "could not fetch the application's owner" in caplog.text

    listed = await world.operator.user.slash("reload")  # listed operators do not need the lookup
    assert listed.response.content.startswith("Reloaded in")
