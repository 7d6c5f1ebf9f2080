"""A real, throwaway PostgreSQL server for the test suite.

PostgreSQL refuses to run as root, and CI runs as root, so when we are root the
server runs as the `postgres` system user, in a temporary folder, on a free
port, listening on loopback only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if not candidates:
        raise RuntimeError(
            "initdb not found: install PostgreSQL (python3 dev.py test does it as root)"
        )
    return candidates[0].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    bin_dir: Path

    @property
    def base_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def url(self, database: str = "postgres") -> str:
        return f"{self.base_url}/{database}"

    def _as_server_user(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def start(self) -> None:
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        subprocess.run(
            self._as_server_user(
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir / "db"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
            env=env,
        )
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            self._as_server_user(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir / "db"),
                "-o",
                options,
                "-l",
                str(self.data_dir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            capture_output=True,
            env=env,
        )

    def create_database(self, name: str) -> str:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            self._as_server_user(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir / "db"),
                "-m",
                "immediate",
                "stop",
            ),
            capture_output=True,
        )


def start_postgres() -> PostgresServer:
    data_dir = Path(tempfile.mkdtemp(prefix="imports-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, user="postgres", group="postgres")
    server = PostgresServer(data_dir=data_dir, port=_free_port(), bin_dir=_bin_dir())
    for attempt in range(3):
        try:
            server.start()
            return server
        except subprocess.CalledProcessError as error:
            if attempt == 2:
                log = data_dir / "server.log"
                raise RuntimeError(
                    f"PostgreSQL did not start: {error.stderr!r}\n"
                    f"{log.read_text() if log.exists() else ''}"
                ) from error
            server.port = _free_port()
            time.sleep(0.5)
    raise AssertionError("unreachable")


def remove_server_folder(server: PostgresServer) -> None:
    shutil.rmtree(server.data_dir, ignore_errors=True)
