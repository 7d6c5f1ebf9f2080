"""One live API (uvicorn as a real process, SQLite) for the client tests, and a processor that
does what the Dagster daemon would: run the phases of a submitted session on the same data."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.sessions import ImportService
from imports_pipeline.settings import Settings
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.end_to_end.processes import (
    Server,
    create_api_key,
    running,
    server_environment,
)

ORGANIZATION = "org-client"
MAX_HEAVY_REQUESTS = 1
"""One upload, validation or patch at a time, refused at once when taken, so a test can hold the
slot and see a real 429."""


@dataclass
class LiveApi:
    url: str
    key: str
    organization_id: str
    data_dir: Path
    database_url: str
    server: Server


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[LiveApi]:
    root = tmp_path_factory.mktemp("client")
    data_dir = root / "data"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'imports.db'}"
    env = server_environment(data_dir, database_url)
    env["IMPORTS_MAX_HEAVY_REQUESTS"] = str(MAX_HEAVY_REQUESTS)
    env["IMPORTS_HEAVY_REQUEST_WAIT_SECONDS"] = "0"  # refuse at once: the 429 test needs one
    logs = root / "logs"
    logs.mkdir()
    key = create_api_key(env, ORGANIZATION)
    with running(logs, env) as processes:
        server = Server(processes, key, ORGANIZATION)
        server.start()
        yield LiveApi(server.url, key, ORGANIZATION, data_dir, database_url, server)


def process_in_background(api: LiveApi, import_id: str, delay: float = 1.0) -> threading.Thread:
    """Run every phase of a submitted session after ``delay`` seconds, on the server's own
    database and files, as the daemon's run would; the client meanwhile only sees HTTP."""

    def work() -> None:
        time.sleep(delay)
        settings = Settings(data_dir=api.data_dir, database_url=api.database_url)
        service = ImportService.from_settings(settings)
        try:
            processing = ImportProcessing(service, service.stores.destination, import_id)
            for phase in PHASE_ORDER:
                getattr(processing, phase)()
        finally:
            service.repository.engine.dispose()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread
