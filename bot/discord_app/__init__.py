"""The Discord layer: turns slash commands, DMs and mentions into questions for the
engine, and answers into messages. The engine knows nothing of this package.

The bot itself (client, holder, the question desk, limits, embeds, responding, tree)
sits at the top; each feature is an extension package loaded by name in
`StoryBot.setup_hook`: answers/, buttons/, help/, operators/, insights_log/.
"""
