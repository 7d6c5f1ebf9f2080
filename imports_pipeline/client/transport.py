"""HTTP for the client: headers, error bodies to ``ImportsApiError``, and retries that are safe.

A request is retried when repeating it cannot do the work twice: a GET always; a POST, PUT or
PATCH only when it carries an ``Idempotency-Key`` (the server then replays the first answer), or
when the server provably did nothing (a 429 from its heavy-request limit, a connection that was
never made). The key is drawn once per logical call and sent unchanged on every attempt.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from imports_pipeline.client.errors import ImportsApiError, ImportsConnectionError

Files = dict[str, tuple[str, bytes | BinaryIO, str]]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Answers that say "not now": overloaded, or a proxy in front lost the server."""
NOTHING_DONE_STATUSES = frozenset({429})
"""Refused before any work (the heavy-request limit): safe to repeat whatever the method."""
IN_USE_CODE = "IDEMPOTENCY_KEY_IN_USE"
"""A keyed retry that overtook its first attempt: waiting and asking again gets the replay."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to repeat a request that may be repeated.

    ``attempts`` counts the first try; the wait before attempt ``n + 1`` is
    ``backoff_seconds * 2**(n - 1)`` capped at ``max_backoff_seconds``, or the server's
    ``Retry-After`` on 429/503 when it sends one (capped at ``max_retry_after_seconds``).
    """

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    max_retry_after_seconds: float = 60.0
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts counts the first try: at least 1, not {self.attempts}")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_seconds)
        backoff: float = self.backoff_seconds * 2 ** (attempt - 1)
        return min(backoff, self.max_backoff_seconds)


NO_RETRIES = RetryPolicy(attempts=1)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def api_error(response: httpx.Response) -> ImportsApiError:
    """The contract's error body as an exception; a body that is not one still names the status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    retry_after = retry_after_seconds(response)
    if not isinstance(body, dict):  # a proxy's page, or nothing
        text = response.text[:500]
        code = f"HTTP_{response.status_code}"
        return ImportsApiError(response.status_code, code, text, None, retry_after)
    code = str(body.get("code") or f"HTTP_{response.status_code}")
    return ImportsApiError(response.status_code, code, body.get("detail"), body, retry_after)


class Transport:
    """One ``httpx.Client`` with the API-key headers, and the retry loop."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        organization_id: str,
        retry: RetryPolicy,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retry = retry
        self.sleep = sleep
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"x-api-key": api_key, "x-organization-id": organization_id},
            timeout=timeout,
        )

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool = False,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        files: Callable[[], Files] | None = None,
        content: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send until an answer that is not an error, or retries run out; errors raise.

        ``idempotent`` asks for an ``Idempotency-Key``, made here once and reused by every
        attempt. ``files`` is a callable so each attempt sends the whole upload again.
        """
        sent_headers = dict(headers or {})
        if idempotent:
            sent_headers["Idempotency-Key"] = new_idempotency_key()
        repeatable = method == "GET" or idempotent
        attempt = 0
        while True:
            attempt += 1
            last_try = attempt >= self.retry.attempts
            try:
                response = self.send(
                    method, path, json, params, data, files, content, sent_headers, authenticated
                )
            except httpx.TransportError as error:
                never_connected = isinstance(error, httpx.ConnectError)
                if last_try or not (repeatable or never_connected):
                    raise ImportsConnectionError(
                        f"{method} {path}: no answer after {attempt} attempt(s): {error!r}"
                    ) from error
                self.sleep(self.retry.delay(attempt))
                continue
            if response.status_code < 400:
                return response
            refused = api_error(response)
            if last_try or not self.may_retry(refused, repeatable, idempotent):
                raise refused
            self.sleep(self.retry.delay(attempt, refused.retry_after))

    def download(self, path: str, target: Path) -> None:
        """``GET path`` streamed into ``target`` block by block, so a report or an upload of
        any size never sits whole in memory; an error answer raises as ``request`` does. Retried
        from the start when the connection fails, as any GET."""
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.http.stream("GET", path) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise api_error(response)
                    with target.open("wb") as written:
                        # Blocks as they arrive (64 KB at most): re-chunked to 1 MB by httpx, the
                        # chunker's buffer, its copy and the block before peaked at 4.5 MB, as
                        # the server's pace moved the block boundaries.
                        for block in response.iter_bytes():
                            written.write(block)
                    return
            except httpx.TransportError as error:
                if attempt >= self.retry.attempts:
                    raise ImportsConnectionError(
                        f"GET {path}: no answer after {attempt} attempt(s): {error!r}"
                    ) from error
                self.sleep(self.retry.delay(attempt))

    def may_retry(self, error: ImportsApiError, repeatable: bool, idempotent: bool) -> bool:
        if error.status_code in NOTHING_DONE_STATUSES:
            return True
        if idempotent and error.code == IN_USE_CODE:
            return True
        return repeatable and error.status_code in self.retry.retry_statuses

    def send(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        data: dict[str, str] | None,
        files: Callable[[], Files] | None,
        content: bytes | Iterable[bytes] | None,
        headers: dict[str, str],
        authenticated: bool,
    ) -> httpx.Response:
        if not authenticated:  # a signed link carries its own authorisation
            url = httpx.URL(path) if path.startswith("http") else self.http.base_url.join(path)
            return httpx.request(
                method, url, content=content, headers=headers, timeout=self.http.timeout
            )
        return self.http.request(
            method,
            path,
            json=json,
            params=params,
            data=data,
            files=files() if files is not None else None,
            content=content,
            headers=headers,
        )
