"""A typed Python client for the Imports API v2: one method per endpoint, the server's own models.

    with ImportsClient("http://127.0.0.1:8000", api_key, "org-1") as client:
        created = client.create_session("logistics_requests", "march.csv", numeric_locale="es_ES")

It imports the wire models (``imports_pipeline.wire``, ``views``), never the server's ``api``
package, so it runs without FastAPI's app, a database or the file store.
"""

from __future__ import annotations

from types import TracebackType

from imports_pipeline.client.errors import (
    ImportsApiError,
    ImportsClientError,
    ImportsConnectionError,
    ImportsTimeoutError,
)
from imports_pipeline.client.files import FilesMixin
from imports_pipeline.client.sessions import AsyncUpload, SessionsMixin
from imports_pipeline.client.templates import TemplatesMixin
from imports_pipeline.client.transport import NO_RETRIES, RetryPolicy, Transport

__all__ = [
    "NO_RETRIES",
    "AsyncUpload",
    "ImportsApiError",
    "ImportsClient",
    "ImportsClientError",
    "ImportsConnectionError",
    "ImportsTimeoutError",
    "RetryPolicy",
]


class ImportsClient(SessionsMixin, TemplatesMixin, FilesMixin):
    """The API for one organization with one key; close it (or use ``with``) to free connections."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        organization_id: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.transport = Transport(
            base_url, api_key, organization_id, retry or RetryPolicy(), timeout
        )

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ImportsClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
