"""/docs and /redoc render in a real browser that can reach no host but the API: headless Chromium
(Debian's ``chromium``) against the API under uvicorn, every other host name unresolvable.

``--dump-dom`` prints the page after its scripts ran (``--virtual-time-budget`` lets them settle),
so Swagger UI's operations list and ReDoc's menu are there only if their scripts, styles and the
schema all loaded from the API itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from imports_pipeline_tests.end_to_end.processes import (
    Server,
    create_api_key,
    running,
    server_environment,
)

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
"""Chromium's host resolver rules: no name resolves but the API's address."""


def browsed(url: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Chromium's run on ``url``: the page after its scripts on stdout, its log on stderr."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # tests run as root
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--host-resolver-rules={OFFLINE}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def rendered(url: str, profile: Path) -> str:
    return browsed(url, profile).stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_swagger_ui_and_redoc_render_every_operation_with_no_other_host(tmp_path):
    env = server_environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'imports.db'}")
    logs = tmp_path / "logs"
    logs.mkdir()
    profile = tmp_path / "chromium"
    with running(logs, env) as processes:
        server = Server(processes, create_api_key(env, "org-docs"), "org-docs")
        server.start()
        paths = set(httpx.get(f"{server.url}/openapi.json").json()["paths"])

        blocked = browsed(
            "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js", profile
        )
        swagger = rendered(f"{server.url}/docs", profile)
        redoc = rendered(f"{server.url}/redoc", profile)
        # ReDoc's bundle draws its vendor's logo from cdn.redoc.ly and hides it when it fails,
        # so the DOM cannot tell; the page forbids images from other hosts, and the browser
        # then never asks.
        redoc_policy = httpx.get(f"{server.url}/redoc").headers.get("content-security-policy")

    # The CDN FastAPI would use is out of reach. Older Chromiums dump their error page; newer ones
    # dump nothing and log "Page load failed: net::ERR_NAME_NOT_RESOLVED".
    assert "ERR_NAME_NOT_RESOLVED" in blocked.stdout + blocked.stderr
    assert "Redoc" not in blocked.stdout
    assert len(paths) >= 15
    assert set(re.findall(r'data-path="([^"]+)"', swagger)) == paths  # the operations list
    assert 'class="opblock-summary-path"' in swagger
    assert "imports_pipeline: Imports API v2" in redoc
    assert {path for path in paths if path in redoc} == paths
    assert redoc_policy == "img-src 'self' data:"
