"""Where the members' commands are installed, and where an answer may be public.

A server installs the bot (the `bot` scope: the bot is a member there). With
`discord.user_install: true` a member may also add the app to their own account and use
/ask and "Ask the story bot" anywhere: in servers that never installed the bot and in
DMs between people. Operator commands are never user-installable (operators/_check.py):
they act on the bot itself and are checked in their handler.

Discord's rule for a member's own installation in a server that did not install the app
(the Use External Apps permission): the app may respond publicly only where the member
has that permission; elsewhere its responses are private. The bot follows the rule
itself, so it never offers a public answer Discord would turn private.
"""

from __future__ import annotations

from typing import Any

import discord


def member_installs(user_install: bool) -> dict[str, bool]:
    """`allowed_installs` for /ask and "Ask the story bot"."""
    return {"guilds": True, "users": user_install}


def member_contexts(user_install: bool) -> dict[str, Any]:
    """`allowed_contexts`: servers and the bot's DMs; with user installs, DMs between people too."""
    return {"guilds": True, "dms": True, "private_channels": user_install}


def through_member_install_only(interaction: discord.Interaction) -> bool:
    """The command came through a member's own installation of the app, in a server that
    did not install it: its `authorizing_integration_owners` name the member's installation
    and not this server's."""
    return interaction.guild_id is not None and interaction.is_user_integration() and not interaction.is_guild_integration()


def may_answer_publicly(interaction: discord.Interaction) -> bool:
    """Whether a public answer is allowed where the interaction came from: always in DMs
    and where the server installed the bot; through a member's own installation, only
    where the member has Use External Apps."""
    if not through_member_install_only(interaction):
        return True
    return interaction.permissions.use_external_apps
