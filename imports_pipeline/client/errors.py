"""What the client raises: the API's error answer, no answer at all, or a wait that ran out."""

from __future__ import annotations

from typing import Any


class ImportsClientError(Exception):
    """Base class, so a caller can catch everything the client raises in one clause."""


class ImportsApiError(ImportsClientError):
    """The server answered with an error body (``{detail, code, ...}``): a 4xx is the caller's to
    fix, and ``code`` is the stable name to branch on."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: Any,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status_code} {code}: {detail}")
        self.status_code = status_code
        self.code = code
        self.detail = detail
        self.body = body or {}
        self.retry_after = retry_after


class ImportsConnectionError(ImportsClientError):
    """No answer: the server could not be reached or the connection broke, on every attempt."""


class ImportsTimeoutError(ImportsClientError):
    """``wait_until_processed`` gave up before processing settled; ``last`` is the last status."""

    def __init__(self, message: str, last: Any) -> None:
        super().__init__(message)
        self.last = last
