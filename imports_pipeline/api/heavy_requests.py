"""At most N heavy requests (parse, validate, patch) at once per API process; the next answers
429 with Retry-After at once, instead of the process growing with every request it takes on."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from imports_pipeline.api.errors import problem_response

HEAVY_REQUESTS = (
    ("POST", re.compile(r"^/v2/imports/sessions/?$")),
    ("PUT", re.compile(r"^/v2/imports/uploads/[^/]+$")),
    ("POST", re.compile(r"^/v2/imports/[^/]+/validate$")),
    ("PATCH", re.compile(r"^/v2/imports/[^/]+/rows$")),
)
"""Create (it parses the upload), the async upload, validate and patch."""
RETRY_AFTER_SECONDS = 2


class HeavyRequestLimit:
    def __init__(self, app: ASGIApp, max_running: int) -> None:
        self.app = app
        self.max_running = max_running
        self.running = 0  # the event loop is one thread: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.running >= self.max_running:
            refused = problem_response(
                429,
                "TOO_MANY_REQUESTS",
                f"{self.max_running} uploads, validations or patches are running in this process;"
                f" retry in {RETRY_AFTER_SECONDS} s",
                scope["path"],
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                max_running=self.max_running,
            )
            await refused(scope, receive, send)
            return
        self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running -= 1


def is_heavy(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in HEAVY_REQUESTS)
