"""Sync the slash commands only when their definition changed.

Syncing on every start is what gets a bot rate-limited (Discord caps command creations
per day), and a host restarts a bot often (every deploy, at least daily on a Procfile
platform). So the bot keeps a fingerprint of what it last synced: a SHA-256 of the
sorted JSON of the payloads `CommandTree.sync` sends, per application and scope
(global, or each dev guild), in `command-sync.json` beside the index cache. A start
whose tree has the fingerprint already synced for that scope skips the sync;
`python -m bot sync` forces it. The file is safe to delete (the next start syncs once).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import discord
from discord import app_commands

log = logging.getLogger(__name__)

STATE_FILE = "command-sync.json"


def fingerprint(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> str:
    """What `tree.sync(guild=guild)` would send, hashed (independent of command order)."""
    payloads = [command.to_dict(tree) for command in tree._get_all_commands(guild=guild)]
    text = json.dumps(sorted(payloads, key=lambda p: (p.get("type", 1), p["name"])), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scope_name(guild_id: int | None) -> str:
    return "global" if guild_id is None else f"guild:{guild_id}"


class SyncState:
    """The fingerprints last synced, `{"<application id>/<scope>": "<sha256>"}` in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("command sync state %s unreadable (%s): syncing", self.path, exc)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def synced(self, application_id: int, scope: str) -> str | None:
        return self._read().get(f"{application_id}/{scope}")

    def remember(self, application_id: int, scope: str, digest: str) -> None:
        """Written atomically; a failure costs only one extra sync on the next start."""
        data = self._read()
        data[f"{application_id}/{scope}"] = digest
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".command-sync-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not save the command sync state to %s: %s", self.path, exc)


@dataclass
class SyncReport:
    """Per scope: how many commands were synced, or "unchanged"; the error if Discord refused."""

    scopes: dict[str, int | str] = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> str:
        parts = [f"{scope}: {'unchanged' if v == 'unchanged' else f'{v} command(s) synced'}" for scope, v in self.scopes.items()]
        return "; ".join(parts) + (f"; failed: {self.error}" if self.error else "")


async def sync_commands(
    tree: app_commands.CommandTree,
    application_id: int,
    guild_ids: tuple[int, ...],
    state: SyncState,
    *,
    force: bool = False,
) -> SyncReport:
    """Global sync (can take a while to show everywhere), or instant sync to the dev guilds,
    each only when its fingerprint changed (or `force`). Never raises for Discord errors:
    commands synced earlier keep working, and DMs and mentions do not need them."""
    report = SyncReport()
    targets: list[int | None] = list(guild_ids) or [None]
    for guild_id in targets:
        guild = discord.Object(guild_id) if guild_id is not None else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        scope = scope_name(guild_id)
        digest = fingerprint(tree, guild)
        if not force and state.synced(application_id, scope) == digest:
            report.scopes[scope] = "unchanged"
            log.info("slash commands unchanged since the last sync (%s): not syncing", scope)
            continue
        try:
            synced = await tree.sync(guild=guild)
        except discord.HTTPException as exc:
            report.error = f"{scope}: {exc.status} {exc.text}".strip()
            log.error("could not sync slash commands: %s %s (%s)", exc.status, exc.text, scope)
            return report
        state.remember(application_id, scope, digest)
        report.scopes[scope] = len(synced)
        log.info("synced %d command(s) (%s)", len(synced), scope)
    return report


def state_for(cache_dir: Path) -> SyncState:
    return SyncState(Path(cache_dir) / STATE_FILE)
