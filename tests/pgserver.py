"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, a Unix socket there.

As root, initdb refuses to run: the server then runs as the ``postgres`` system
account (Debian's package makes it). Nothing listens on the network.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

PASSWORD_USER = "editor"
PASSWORD = "pw-7Qz!secret"


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):  # Debian keeps them off PATH
        if (root / name).exists():
            return str(root / name)
    return None


class Server:
    """A running server; :meth:`database` makes a fresh database and gives its URL."""

    def __init__(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql)")
        self.pg_ctl = pg_ctl
        self.folder = Path(tempfile.mkdtemp(prefix="forensics-pg-"))
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no postgres account to run the server as") from None
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        os.chmod(self.folder, 0o700)
        self.data = self.folder / "data"
        self._names = itertools.count()
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        # a role that must give its password (for the credential tests); every other local connection is trusted
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text())
        options = f"-c listen_addresses= -c unix_socket_directories={self.folder} -c fsync=off -c max_connections=50"
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-s", "-o", options, "start"])
        self.admin(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}' CREATEDB")

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run([*self.run_as, *cmd], capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{os.path.basename(cmd[0])} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def url(self, database: str = "postgres", *, user: str = "postgres", password: str | None = None) -> str:
        auth = user + (f":{urllib.parse.quote(password, safe='')}" if password else "")
        return f"postgresql://{auth}@{urllib.parse.quote(str(self.folder), safe='')}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(sql)

    def database(self, *, owner: str = "postgres") -> str:
        """A new empty database, its URL (as the ``postgres`` role)."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} OWNER {owner}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "-s", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
