"""Real HTTP through the app (Starlette's TestClient), on a real SQLite file or PostgreSQL
server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from imports_pipeline.api.app import create_app
from imports_pipeline.sessions import ImportService
from imports_pipeline.store.api_keys import ApiKeyStore
from imports_pipeline_tests.service import SAMPLE_CSV, build_service

ORG = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
USER = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
OTHER_ORG = "cccccccc-cccc-cccc-cccc-cccccccccccc"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 8, 14, 0, 0)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    """An app with two organizations' keys: ``headers`` (a user's key of ORG) and ``other_headers``
    (OTHER_ORG)."""

    client: TestClient
    service: ImportService
    keys: ApiKeyStore
    headers: dict[str, str] = field(default_factory=dict)
    other_headers: dict[str, str] = field(default_factory=dict)

    def key_headers(self, organization_id: str, user_id: str | None = None) -> dict[str, str]:
        issued = self.keys.create(organization_id, user_id=user_id)
        return {"x-api-key": issued.secret, "x-organization-id": organization_id}

    def create(
        self,
        content: bytes | None = None,
        name: str = "logistics.csv",
        headers: dict[str, str] | None = None,
        **fields: str,
    ) -> httpx.Response:
        data = {"template_id": "logistics_requests", "numeric_locale": "es_ES", **fields}
        upload = SAMPLE_CSV.read_bytes() if content is None else content
        return self.client.post(
            "/v2/imports/sessions",
            headers=self.headers if headers is None else headers,
            data=data,
            files={"upload_file": (name, upload, "text/csv")},
        )

    def created_id(self, **kwargs) -> str:
        response = self.create(**kwargs)
        assert response.status_code == 201, response.text
        return response.json()["import_id"]


def build_api(
    url: str, root: Path, clock: Clock, max_upload_bytes: int | None = None
) -> Iterator[Api]:
    service = build_service(url, root, clock)
    app = create_app(service, max_upload_bytes=max_upload_bytes)
    with TestClient(app) as client:
        api = Api(client, service, app.state.api_keys)
        api.headers = api.key_headers(ORG, USER)
        api.other_headers = api.key_headers(OTHER_ORG)
        yield api
    service.repository.engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(tmp_path, clock) -> Iterator[Api]:
    yield from build_api(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path, clock)


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_api(request, tmp_path, clock) -> Iterator[Api]:
    url = (
        f"sqlite:///{tmp_path / 'imports.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    yield from build_api(url, tmp_path, clock)


PROBLEM_FIELDS = ("type", "title", "status", "instance")


def contract_body(response: httpx.Response) -> dict[str, Any]:
    """An error body without RFC 7807's fields, once they are checked: ``type`` names the code,
    ``title`` and ``status`` the HTTP status, ``instance`` the request's path."""
    body = response.json()
    assert body["type"] == f"urn:imports-pipeline:error:{body['code'].lower()}", body
    assert body["title"] == HTTPStatus(response.status_code).phrase, body
    assert body["status"] == response.status_code, body
    assert body["instance"] == response.request.url.path, body
    return {key: value for key, value in body.items() if key not in PROBLEM_FIELDS}
