"""The invite link: the scopes and the least permissions the bot needs, computed from
discord.py's `Permissions` so the number in the URL always matches the list below.

Answers to /ask, the message command and buttons are interaction responses, which need
no channel permission. The permissions are for DMs and mentions: the bot sees the channel,
posts there (threads included), shows the answer as an embed, and replies to the
member's message (a reply references it, which needs Read Message History).
"""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")
APPLICATION_ID_VARIABLE = "DISCORD_APPLICATION_ID"


# discord.Permissions flag → its name in Discord's settings. One place: the URL and the
# explanation `invite` prints are both made from it.
PERMISSIONS = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}


def required_permissions() -> discord.Permissions:
    return discord.Permissions(**{flag: True for flag in PERMISSIONS})


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=required_permissions(), scopes=SCOPES)


def parse_application_id(text: str) -> int:
    """An application id as the Developer Portal shows it (General Information → Application ID)."""
    value = text.strip()
    if not value.isdigit() or not 17 <= len(value) <= 20:
        raise ValueError(f"{value!r} is not an application id (a number of 17 to 20 digits)")
    return int(value)


async def application_id_from_token(token: str) -> int:
    """Ask Discord whose token this is (one REST call, no gateway connection)."""
    client = discord.Client(intents=discord.Intents.none())
    async with client:
        await client.login(token)
        assert client.application_id is not None  # login() fetches the application
        return client.application_id
