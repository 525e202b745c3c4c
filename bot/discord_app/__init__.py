"""The Discord layer: turns slash commands, DMs and mentions into questions for the
engine, and answers into messages. The engine knows nothing of this package.

The bot itself (client, holder, the question desk, limits, embeds, responding, tree)
sits at the top; each feature is an extension package loaded by name in
`StoryBot.setup_hook`: answers/, buttons/, help/, operators/, insights_log/.
"""

import discord

# A text-only bot. discord.py logs "PyNaCl is not installed, voice will NOT be supported" (and
# the same for davey, voice's end-to-end encryption) whenever a client is created: a warning
# the operator can do nothing useful about. These class flags are discord.py's own switch for
# it (Client.__init__ warns only while they are true); set here, before any client exists.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False
