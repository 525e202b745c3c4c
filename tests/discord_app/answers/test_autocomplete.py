"""/ask autocomplete: names and phrases from the story, completing what was typed."""

from __future__ import annotations


async def test_autocomplete_offers_story_names_completing_the_question(make_world):
    world = await make_world({"discord": {"example_questions": ["Who is Sarah McIver?", "Why was Meng arrested?"]}})
    choices = await world.alice.autocomplete(world.channel, "ask", "question", "who is jus")
    values = [c["value"] for c in choices]
    assert "who is Justin Trudeau" in values
    assert all(c["name"] == c["value"] and len(c["value"]) <= 100 for c in choices)

    first = await world.alice.autocomplete(world.channel, "ask", "question", "")
    assert [c["value"] for c in first][:2] == ["Who is Sarah McIver?", "Why was Meng arrested?"]
    assert len(first) <= 25

    # A suggestion is a question the bot can answer.
    answer = await world.alice.slash(world.channel, "ask", question=values[0])
    assert answer.response.embeds[0].footer.text.startswith("¶12")


async def test_autocomplete_follows_a_reload(make_world):
    world = await make_world()
    assert await world.alice.autocomplete(world.channel, "ask", "question", "halif") == []
    (world.corpus / "halifax.md").write_text(
        "# Port news\n\nThe Port of Halifax opened a terminal, Captain Ada Moreau said.\n", encoding="utf-8"
    )
    await world.operator.user.slash("reload")
    values = [c["value"] for c in await world.alice.autocomplete(world.channel, "ask", "question", "halif")]
    assert "Port of Halifax" in values or "Halifax" in values
    assert "Ada Moreau" in [c["value"] for c in await world.alice.autocomplete(world.channel, "ask", "question", "ada")]
