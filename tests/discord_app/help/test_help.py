"""/help and /source, as members use them."""

from __future__ import annotations


async def test_help_lists_usage_and_the_configured_examples(make_world):
    examples = ["Who is Ritesh Kotak?", "What did Huawei say?"]
    world = await make_world({"discord": {"example_questions": examples}})
    result = await world.alice.slash(world.channel, "help")
    text = result.response.embeds[0].description
    assert "/ask" in text and "/source" in text and "Mention" in text and "message" in text
    for question in examples:
        assert question in text
    assert result.ephemeral


async def test_source_lists_documents_sources_passages_and_load_time(make_world):
    extra = "---\ntitle: Follow-up on the trade talks\nsource: Example Wire\n---\n\nFirst paragraph.\n\nSecond paragraph.\n"
    world = await make_world(files={"followup.md": extra})
    result = await world.alice.slash(world.channel, "source")
    embed = result.response.embeds[0]
    assert "Trump may bar Huawei" in embed.description and "CTV News" in embed.description
    assert "Follow-up on the trade talks" in embed.description and "Example Wire" in embed.description
    assert "2 paragraphs · 2 passages" in embed.description
    assert "12 paragraphs" in embed.description
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Documents"] == "2"
    loaded = int(world.bot.holder.loaded_at.timestamp())
    assert f"<t:{loaded}:" in fields["Index loaded"]
