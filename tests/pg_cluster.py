"""A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port, for tests and
benchmarks. Not a test module."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("ABSCOPAL_PG_BIN", "/usr/lib/postgresql/15/bin"))


def postgres_binaries_or_explain() -> str | None:
    """None when initdb and pg_ctl exist; otherwise a message saying how to get them."""
    missing = [b for b in ("initdb", "pg_ctl") if not (PG_BIN / b).is_file()]
    if missing:
        return (f"PostgreSQL server binaries {missing} not found in {PG_BIN}: install them "
                "(Debian: `apt-get install postgresql`, or `make sysdeps`) or set ABSCOPAL_PG_BIN")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root but `runuser` is missing (initdb refuses to run as root)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayPostgres:
    """initdb a cluster in ``base``, start it on 127.0.0.1:<free port>, stop and delete it."""

    _counter = itertools.count(1)

    def __init__(self, base: Path | None = None) -> None:
        # The data directory must be reachable by the postgres OS user: use a fresh /tmp dir.
        self.root = Path(tempfile.mkdtemp(prefix="abscopal-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = free_port()
        self.log = self.root / "server.log"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self.sock.mkdir(parents=True)
        os.chmod(self.root, 0o777)
        if self._as_root:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-instructions")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock} -c fsync=on "
                "-c max_connections=200 -c shared_buffers=64MB")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts,
                  "-w", "-t", "60", "start")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


__all__ = ["PG_BIN", "ThrowawayPostgres", "free_port", "postgres_binaries_or_explain"]
