"""An answer's outcome is logged once Discord has taken it or refused it."""

from __future__ import annotations

import logging

MENG = "When was Meng Wanzhou arrested?"


async def test_the_log_line_says_whether_the_answer_was_delivered(make_world, caplog):
    """The per-question line is written once the answer is delivered or refused, and says which;
    the question log counts the answers members received."""
    world = await make_world()
    with caplog.at_level(logging.INFO, logger="bot"):
        await world.alice.slash(world.channel, "ask", question=MENG)
        world.env.inject_error("POST", "/interactions/*/*/callback", status=500, times=2)  # the answer and the apology
        await world.alice.slash(world.channel, "ask", question=MENG)
        world.env.inject_error("POST", "/channels/*/messages", status=500, times=2)
        await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("question ")]
    assert len(lines) == 3
    assert "outcome=answered" in lines[0] and "delivery=delivered" in lines[0]
    assert "surface=slash" in lines[1] and "delivery=failed" in lines[1]
    assert "surface=mention" in lines[2] and "delivery=failed" in lines[2]
    order = [r.getMessage() for r in caplog.records]
    refused = next(i for i, m in enumerate(order) if m.startswith("could not reply to /ask"))
    assert order.index(lines[1]) > refused  # written after the outcome was known
    recorder = world.insights.recorder
    assert recorder.flush(timeout=10)
    assert recorder.store.query("SELECT count(*), sum(answered) FROM questions") == [(1, 1)]
