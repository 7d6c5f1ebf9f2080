#!/usr/bin/env python3
"""One entry point for a new user: `python3 dev.py run` and `python3 dev.py test`.

Both create `.venv` and install the project into it (skipped when pyproject.toml
has not changed since the last install). `test` also makes sure the PostgreSQL
server binaries exist (installing Debian's `postgresql` package when running as
root), because the suite starts a real server. Only the standard library is
used here: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed-pyproject-sha256"


def _run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_installed() -> None:
    """Create the virtualenv and install the package with its test extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the user has
        sys.exit(f"Python 3.11+ is required, this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]")
    STAMP.write_text(wanted)


def postgres_bin_dir() -> Path | None:
    """Where initdb/pg_ctl live: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def install_os_package(package: str, needed_for: str) -> None:
    """``apt-get install`` as root; anyone else is told what to install."""
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "update", "-q", env=env)
        _run("apt-get", "install", "-y", "-q", package, env=env)
        return
    sys.exit(
        f"{needed_for}\n"
        f"Install it with your package manager, e.g. `sudo apt-get install {package}`."
    )


def ensure_postgres() -> None:
    """The test suite runs a real PostgreSQL; install the server if it is missing."""
    if not postgres_bin_dir():
        install_os_package(
            "postgresql", "PostgreSQL server binaries (initdb, pg_ctl) are needed for the tests."
        )


def ensure_chromium() -> None:
    """The web importer's browser tests drive Debian's chromium; install it if it is missing."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        install_os_package("chromium", "Chromium is needed for the web importer's browser tests.")


CHECKS = (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",))
"""ruff (lint and format) and mypy, as configured in pyproject.toml."""


def check_style_and_types() -> int:
    """Run the checks; the exit status of the first that finds something, else 0."""
    for check in CHECKS:
        print("+", *check, flush=True)
        status = subprocess.call([str(PYTHON), "-m", *check], cwd=ROOT)
        if status:
            return status
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "run":
        ensure_installed()
        # Replace this process rather than wait on a child: a Ctrl-C or a supervisor's SIGTERM sent
        # to this pid then reaches the server, which stops `dagster dev` too; as a parent it was
        # left running.
        program = str(VENV / "bin" / "imports-pipeline")
        os.execv(program, [program, "up", *argv[2:]])
    if command == "test":
        ensure_installed()
        ensure_postgres()
        ensure_chromium()
        if not argv[2:]:  # the whole suite, as CI runs it: style and types first
            status = check_style_and_types()
            if status:
                return status
        return subprocess.call([str(PYTHON), "-m", "pytest", *argv[2:]], cwd=ROOT)
    print("usage: python3 dev.py run | test [pytest args]")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
