"""A throwaway PostgreSQL server for the test run: initdb + pg_ctl in a temporary folder.

The PostgreSQL tests run against a real server, never a fake: this starts one from
the machine's PostgreSQL binaries (`pg_ctl` on PATH, or Debian's
/usr/lib/postgresql/<version>/bin; `.ci/run` installs Debian's `postgresql` package
when neither is there). initdb and the server refuse to run as root, which is what
CI runs as: then they run as the `postgres` user (created by that package) through
`runuser`. Anything missing is a PostgresUnavailable naming what, and the fixture
turns that into a failure, not a skip.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "insights_test"


class PostgresUnavailable(Exception):
    """No server could be started; the message says what is missing."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: $PG_BINDIR, PATH, or the newest Debian version."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

    debian = Path(os.environ.get("PG_LIB", "/usr/lib/postgresql"))  # the same override as .ci/run's
    candidates += sorted(debian.glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresUnavailable(
        f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in {debian}/*/bin;"
        " install them (Debian: apt-get install postgresql) or set PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    base: Path  # temporary folder: data/, the socket, the log
    port: int
    runas: list[str]  # the command prefix that runs a program as the server's owner ([] when not root)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        return self.base / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([*self.runas, *args], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {result.stderr.strip() or result.stdout.strip()}\n{log}")

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.base}"
            " -c fsync=off -c max_connections=60"
        )
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                  "-o", options, "start", timeout=90)

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def table_bytes(self, url: str, tables: tuple[str, ...]) -> bytes:
        """Every byte of the tables' files on disk (heap, TOAST, indexes), after a CHECKPOINT
        has written the server's buffers out: what someone with the disk would see."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            rows = conn.execute(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c"
                " WHERE c.relname = ANY(%s)"
                "    OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relname = ANY(%s))"
                "    OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
                "                 WHERE t.relname = ANY(%s))",
                (list(tables), list(tables), list(tables)),
            ).fetchall()
        data = b""
        for (relative,) in rows:
            if relative is None:
                continue
            for segment in sorted(self.data.glob(relative + "*")):  # main fork, segments, fsm/vm
                data += segment.read_bytes()
        return data


def start_server() -> PostgresServer:
    bindir = find_bindir()
    runas: list[str] = []
    root = os.geteuid() == 0
    # As root the server runs as `postgres`, which must reach the folder: /tmp, not a private TMPDIR.
    base = Path(tempfile.mkdtemp(prefix="story-bot-pg-", dir="/tmp" if root and Path("/tmp").is_dir() else None))
    if root:
        # initdb: "cannot be run as root". Debian's package creates the `postgres` user.
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable("running as root, and there is no 'postgres' user to run the server as") from None
        if shutil.which("runuser") is None:
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable("running as root, and runuser (util-linux) is missing")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        runas = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(bindir=bindir, base=base, port=free_port(), runas=runas)
    try:
        server.start()
    except (PostgresUnavailable, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailable(str(exc)) from None
    return server
