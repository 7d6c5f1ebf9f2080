"""The web importer in a real headless Chromium (Debian's, driven by Playwright), against the API
under ``imports-pipeline serve`` with the Dagster daemon processing what is submitted. Every host
but the API's address is unresolvable, and every request the page makes is recorded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Page, Request, sync_playwright

from imports_pipeline_tests.end_to_end.processes import (
    REPO_ROOT,
    Processes,
    Server,
    command,
    create_api_key,
    running,
    server_environment,
    with_dagster_home,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
ORGANIZATION = "org-web-importer"


@dataclass
class Traffic:
    """What the page asked for: every URL, and the bytes that came back (headers and bodies)."""

    urls: list[str] = field(default_factory=list)
    bytes_received: int = 0

    def record(self, request: Request) -> None:
        self.urls.append(request.url)
        sizes = request.sizes()
        self.bytes_received += sizes["responseBodySize"] + sizes["responseHeadersSize"]


@dataclass
class Importer:
    server: Server
    page: Page
    traffic: Traffic
    screenshots: Path
    processes: Processes

    def embed_url(self, template_id: str = "logistics_requests", lang: str = "en") -> str:
        answer = self.server.call(
            "POST", "/v2/imports/embed-tokens", json={"template_id": template_id, "minutes": 30}
        )
        assert answer.status_code == 201, answer.text
        return f"{answer.json()['importer_url']}&lang={lang}"

    def shot(self, name: str) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def screenshots_folder(tmp_path: Path) -> Path:
    """``IMPORTS_SCREENSHOTS_DIR`` when set (to keep them), else the test's own folder."""
    folder = Path(os.environ.get("IMPORTS_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def web_importer(tmp_path: Path, with_daemon: bool = True) -> Iterator[Importer]:
    """The API (and the daemon) on a fresh data folder, and a Chromium page that can reach it
    alone."""
    assert CHROMIUM is not None, "Debian's chromium is needed: python3 dev.py test installs it"
    env = server_environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'imports.db'}")
    env = with_dagster_home(env, tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    with running(logs, env) as processes:
        server = Server(processes, create_api_key(env, ORGANIZATION), ORGANIZATION)
        server.start()
        if with_daemon:
            daemon = [command("dagster-daemon"), "run", "-w", str(REPO_ROOT / "workspace.yaml")]
            processes.start("daemon", daemon)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", f"--host-resolver-rules={OFFLINE}"],  # CI runs as root
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            traffic = Traffic()
            page.on("requestfinished", traffic.record)
            try:
                yield Importer(server, page, traffic, screenshots_folder(tmp_path), processes)
            finally:
                browser.close()


def api_ok(url: str) -> bool:
    return httpx.get(url).status_code == 200
