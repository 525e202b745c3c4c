"""The Discord layer: turns slash commands, DMs and mentions into questions for the
engine, and answers into messages. The engine knows nothing of this package."""
