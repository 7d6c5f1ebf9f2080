"""``imports-pipeline up`` (what ``python3 dev.py run`` starts): the API, ``dagster dev`` (UI,
daemon, sensors), a demo key and a sample dropped into the inbox.

The URLs are printed once each service answers, not when it was merely started; Ctrl-C or a
SIGTERM stops everything within ``STOP_SECONDS``, its whole process group included, and this
process reaps what it started (it is their subreaper on Linux), so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from imports_pipeline.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FILE = Path(__file__).parents[1] / "samples" / "logistics_march.csv"
DAGSTER_UI_PORT = 3000
KEEP_ALIVE_SECONDS = 65
"""How long an idle keep-alive connection stays open. Longer than clients keep theirs (httpx and
requests: 5 s; load balancers: 60 s), so it is always the client that closes: with uvicorn's 5 s
the server could close a connection just as a client sent on it, and about 1 request in 3,000
under load got no answer at all (issue 14)."""
STOP_SECONDS = 10
"""Ctrl-C to every process gone: the API's graceful shutdown, then `dagster dev`'s, then KILL."""
STARTUP_SECONDS = 300
"""How long to wait for a service to answer before saying it has not."""
PR_SET_CHILD_SUBREAPER = 36


def dagster_home(settings: Settings) -> Path:
    """``DAGSTER_HOME``, or a folder in the data folder seeded with the repo's ``dagster.yaml``."""
    home = settings.dagster_home_dir
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists() and (REPO_ROOT / "dagster.yaml").exists():
        shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def drop_sample(settings: Settings) -> Path:
    """The bundled example into the demo organization's inbox, so processing starts with no
    clicks."""
    from imports_pipeline.inbox import SETTINGS_FILE

    folder = settings.drops_root / "inbox" / "demo-org" / "logistics_requests"
    folder.mkdir(parents=True, exist_ok=True)
    folder_settings = folder / SETTINGS_FILE
    if not folder_settings.exists():
        folder_settings.write_text(
            "# Settings of this drop folder (see README, Unattended imports)\n"
            "numeric_locale: es_ES\nignore_errors: true\n"
        )
    target = folder / f"logistics_march-{datetime.now():%Y%m%dT%H%M%S}.csv"
    target.write_bytes(SAMPLE_FILE.read_bytes())
    return target


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until_answers(url: str, stopping: threading.Event) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not stopping.is_set() and time.monotonic() < deadline:
        if answers(url):
            return True
        stopping.wait(0.5)
    return False


def start_dagster(settings: Settings, host: str, port: int) -> subprocess.Popen[bytes]:
    """`dagster dev` in a process group of its own, run from its DAGSTER_HOME: from the checkout it
    warned that the checkout's dagster.yaml "will not be used" (its copy in DAGSTER_HOME is)."""
    home = dagster_home(settings)
    env = settings.child_environment(data_dir=settings.data_folder, dagster_home=home)
    program = str(Path(sys.executable).with_name("dagster"))
    workspace = str(REPO_ROOT / "workspace.yaml")
    return subprocess.Popen(
        [program, "dev", "-w", workspace, "-h", host, "-p", str(port)],
        cwd=home,
        env=env,
        start_new_session=True,
    )


def stop_dagster(dagster: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGINT, as Ctrl-C sends it (`dagster dev` then stops its webserver, daemon and code
    servers), then KILL to the whole group if it is not gone in time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(dagster.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        dagster.wait(timeout=max(0.5, seconds))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(dagster.pid, signal.SIGKILL)
    dagster.wait(timeout=5)


def reap_orphans() -> None:
    """Collect every child that has ended, adopted ones (grandchildren) included."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG) != (0, 0):
            pass


def become_subreaper() -> None:
    """On Linux, orphans of our children (dagster's daemon and code servers) come to us rather
    than to PID 1, which in a container may never reap them."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def banner(base: str, dagster_ui: str, key: str, dropped: Path | None) -> str:
    sample = (
        f"\nA sample file was dropped into {dropped.parent}: within seconds the sensor imports\n"
        "it and a run processes it into the table imports_logistics_requests (Dagster UI, Runs).\n"
        if dropped
        else ""
    )
    return (
        f"\nimports_pipeline is up on the embedded defaults.\n\n"
        f"  Web importer: {base}/importer/\n"
        f"  API docs:     {base}/docs\n"
        f"  Dagster UI:   {dagster_ui}\n"
        f"  API key:      {key}   (organization demo-org; a new one at every start,"
        " revoke old ones with `keys revoke`)\n"
        f"{sample}\n"
        "Try the contract's first call with the bundled 240-row example:\n\n"
        f"  curl -s -X POST {base}/v2/imports/sessions \\\n"
        f'    -H "x-api-key: {key}" -H "x-organization-id: demo-org" \\\n'
        "    -F template_id=logistics_requests -F numeric_locale=es_ES \\\n"
        f'    -F "upload_file=@{SAMPLE_FILE};type=text/csv"\n\n'
        "Ctrl-C stops everything.\n"
    )


def run_quickstart(
    settings: Settings, host: str, port: int, dagster_port: int, demo_key: str, with_dagster: bool
) -> None:
    import uvicorn

    from imports_pipeline.api.app import serving_app
    from imports_pipeline.sessions import ImportService

    become_subreaper()
    base = f"http://{host}:{port}"
    dagster = start_dagster(settings, host, dagster_port) if with_dagster else None
    dropped = drop_sample(settings) if with_dagster else None
    dagster_ui = f"http://{host}:{dagster_port}" if with_dagster else "(not started: --no-dagster)"
    if with_dagster and not settings.dagster_url:  # the API submits runs straight to this one
        settings = settings.model_copy(update={"dagster_url": dagster_ui})
    server = uvicorn.Server(
        uvicorn.Config(
            serving_app(ImportService.from_settings(settings)),
            host=host,
            port=port,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=2,
        )
    )
    stopping = threading.Event()

    def announce() -> None:
        if not wait_until_answers(f"{base}/openapi.json", stopping):
            return
        if dagster is not None and not wait_until_answers(f"{dagster_ui}/server_info", stopping):
            print(f"The Dagster UI did not answer at {dagster_ui} yet; see its output above.")
        if not stopping.is_set():
            print(banner(base, dagster_ui, demo_key, dropped), flush=True)

    def stop(signum: int, _frame: object) -> None:
        stopping.set()
        server.should_exit = True  # uvicorn's own handler does the same for SIGINT

    threading.Thread(target=announce, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn hands the Ctrl-C it caught back once it has stopped
        pass
    finally:
        stopping.set()
        if dagster is not None:
            stop_dagster(dagster, STOP_SECONDS - 4)
        reap_orphans()
