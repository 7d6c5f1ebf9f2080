"""`imports-pipeline keys …` and `imports-pipeline serve`, run as a user would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from imports_pipeline.cli import main
from imports_pipeline.settings import Settings
from imports_pipeline_tests.service import SAMPLE_CSV


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("IMPORTS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IMPORTS_DATABASE_URL", raising=False)
    return tmp_path


def run(capsys, *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    return capsys.readouterr().out.strip().splitlines()


def test_keys_create_list_and_revoke(data_dir, capsys):
    from imports_pipeline.store.api_keys import ApiKeyStore
    from imports_pipeline.store.database import create_database_engine

    lines = run(capsys, "keys", "create", "--org", "org-1", "--user", "user-1")
    secret = lines[-1]
    keys = ApiKeyStore(create_database_engine(Settings.from_environment().session_database_url))
    record = keys.verify(secret)
    assert (record.organization_id, record.user_id) == ("org-1", "user-1") and record.id in lines[0]
    run(capsys, "keys", "create", "--org", "org-2")

    listing = run(capsys, "keys", "list", "--org", "org-1")
    assert len(listing) == 2 and listing[1].split("\t")[:3] == [record.id, "org-1", "user-1"]
    assert secret not in "\n".join(listing)
    assert len(run(capsys, "keys", "list")) == 3

    assert record.id in run(capsys, "keys", "revoke", record.id)[0]
    assert keys.verify(secret) is None
    assert main(["keys", "revoke", "no-such-key"]) == 1
    assert "API_KEY_NOT_FOUND" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_real_http_with_a_cli_key(data_dir, capsys):
    secret = run(capsys, "keys", "create", "--org", "org-1")[-1]
    port = _free_port()
    env = {**os.environ, "IMPORTS_DATA_DIR": str(data_dir), "IMPORTS_MAX_UPLOAD_BYTES": "100000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "imports_pipeline.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"x-api-key": secret, "x-organization-id": "org-1"}
        created = httpx.post(
            f"{base}/v2/imports/sessions",
            headers=headers,
            data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
            files={"upload_file": ("logistics.csv", SAMPLE_CSV.read_bytes(), "text/csv")},
        )
        assert created.status_code == 201 and created.json()["total_rows"] == 240
        too_big = httpx.post(
            f"{base}/v2/imports/sessions",
            headers=headers,
            data={"template_id": "logistics_requests"},
            files={"upload_file": ("big.csv", b"a;b\n" * 50_000, "text/csv")},
        )
        assert too_big.status_code == 413 and too_big.json()["code"] == "UPLOAD_TOO_LARGE"
        assert httpx.get(f"{base}/v2/imports/sessions", headers=headers).json()["total"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
