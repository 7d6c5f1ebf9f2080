"""The README's curl walkthrough, run as written: its ``sh`` blocks, in order, in one bash, against
the API under a real uvicorn, with the Dagster daemon processing the submitted import.

Only the server's address is changed (the README says port 8000; the test takes a free one), and
the script stops at the first command that fails. The blocks run in a scratch folder that sees the
repository's ``imports_pipeline/`` and ``.venv/`` as a reader's checkout would, so the files they
write do not land in the repository.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    VENV_BIN,
    Server,
    command,
    create_api_key,
    running,
    server_environment,
    with_dagster_home,
)

README = REPO_ROOT / "README.md"
SECTION = "## Walkthrough: one import with curl"
README_API = "API=http://127.0.0.1:8000"
ORGANIZATION = "demo-org"
SCRIPT_TIMEOUT = 900
"""The script polls for up to 10 minutes: the daemon's sensor ticks every 15 s and a run starts a
process per step, slow on 2 cores."""


def walkthrough_blocks(readme: str) -> list[str]:
    """The ``sh`` blocks of the walkthrough section, in order."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else len(readme)]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def scratch_checkout(folder: Path) -> Path:
    """A folder where the README's relative paths resolve: the package and the virtualenv."""
    folder.mkdir()
    (folder / "imports_pipeline").symlink_to(REPO_ROOT / "imports_pipeline")
    (folder / ".venv").symlink_to(VENV_BIN.parent)
    return folder


def test_the_readme_walkthrough_is_parsed_into_its_steps():
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) == 10  # setup and the nine steps
    assert README_API in blocks[0]
    assert "curl" in blocks[0] and all("api " in block for block in blocks[1:])


def run_walkthrough(script: str, work: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    print(done.stdout, done.stderr, sep="\n")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_the_readme_walkthrough_runs_against_a_live_server_and_dagster(tmp_path):
    """Twice, as the README suggests: the second import finds every trip unchanged."""
    blocks = walkthrough_blocks(README.read_text(encoding="utf-8"))
    env = server_environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'imports.db'}")
    env = with_dagster_home(env, tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    work = scratch_checkout(tmp_path / "reader")

    with running(logs, env) as processes:
        server = Server(processes, create_api_key(env, ORGANIZATION), ORGANIZATION)
        server.start()
        processes.start(
            "daemon", [command("dagster-daemon"), "run", "-w", str(REPO_ROOT / "workspace.yaml")]
        )
        # Stop at the first failing command, as a reader would notice it.
        script = "set -euo pipefail\n" + "\n".join(blocks).replace(README_API, f"API={server.url}")
        out = run_walkthrough(script, work, env)
        with open(work / "error_report.csv", encoding="utf-8-sig", newline="") as report:
            reported = list(csv.DictReader(report))
        again = run_walkthrough(script, work, env)
        processes.check_alive()

    import_id = re.search(r"^import (\S+): 240 rows, columns \[", out, re.MULTILINE)
    assert import_id, out
    assert "'reference': 'Reference'" in out  # the suggestion maps the sample's key
    assert "unmapped required: []" in out
    assert "valid 238, with errors 2: {'distance_km': 2}" in out
    assert re.search(r"^17 distance_km invalid_type '128.4 km\?' ", out, re.MULTILINE), out
    assert re.search(r"^203 distance_km out_of_range '-15,0' ", out, re.MULTILINE), out
    assert "remaining errors: 1" in out
    assert "submitted 239 rows, job " in out
    assert "processing_status: partially_completed" in out
    assert "processed 239, failed 1, stats {'created': 239, 'updated': 0," in out
    assert [(row["row_index"], row["Reference"], row["error_codes"]) for row in reported] == [
        ("203", "TRIP-0204", "out_of_range")
    ]
    assert "processed 239, failed 1, stats {'created': 0, 'updated': 0, 'unchanged': 239," in again

    destination = sa.create_engine(f"sqlite:///{tmp_path / 'data' / 'destination.db'}")
    with destination.connect() as connection:
        written = connection.execute(
            sa.text(
                "SELECT count(*), min(row_key), max(row_key), min(import_id), max(import_id)"
                " FROM imports_logistics_requests WHERE organization_id = :organization"
            ),
            {"organization": ORGANIZATION},
        ).one()
    destination.dispose()
    first = import_id.group(1)
    assert tuple(written) == (239, "TRIP-0001", "TRIP-0240", first, first)
