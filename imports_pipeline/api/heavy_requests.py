"""At most N heavy requests (parse, validate, patch) at once per API process, instead of the
process growing with every request it takes on. One over the limit waits a few seconds for a slot
(its body still unread, so it costs a socket, not memory) and answers 429 with Retry-After only
if none frees up in that time or too many are already waiting: under a burst, clients are served
in turn instead of each one sleeping out a Retry-After while slots stand idle."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import re
import time

import pyarrow as pa
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from imports_pipeline.api.errors import problem_response

HEAVY_REQUESTS = (
    ("POST", re.compile(r"^/v2/imports/sessions/?$")),
    ("PUT", re.compile(r"^/v2/imports/uploads/[^/]+$")),
    ("POST", re.compile(r"^/v2/imports/[^/]+/validate$")),
    ("PATCH", re.compile(r"^/v2/imports/[^/]+/rows$")),
)
"""Create (it parses the upload), the async upload, validate and patch."""
RETRY_AFTER_SECONDS = 1
WAITING_PER_SLOT = 8
"""At most this many requests wait per running slot; beyond that the answer is 429 at once."""
POLL_SECONDS = 0.01
"""A poll, not an asyncio primitive: one middleware may serve several event loops (tests)."""


class HeavyRequestLimit:
    def __init__(self, app: ASGIApp, max_running: int, wait_seconds: float) -> None:
        self.app = app
        self.max_running = max_running
        self.wait_seconds = wait_seconds
        self.running = 0  # the event loop is one thread: no lock needed
        self.waiting = 0

    async def slot_freed(self) -> bool:
        """Wait for a free slot up to ``wait_seconds``; False when none came."""
        if self.waiting >= self.max_running * WAITING_PER_SLOT:
            return False
        deadline = time.monotonic() + self.wait_seconds
        self.waiting += 1
        try:
            while self.running >= self.max_running:
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(POLL_SECONDS)
            return True
        finally:
            self.waiting -= 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_heavy(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.running >= self.max_running and not await self.slot_freed():
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
            if self.running == 0:
                await run_in_threadpool(give_memory_back)


def give_memory_back() -> None:
    """After the last heavy request, hand the freed memory of its tables back to the system:
    Arrow's pool and glibc's heap both keep it otherwise, and the process stays at its peak."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def is_heavy(method: str, path: str) -> bool:
    return any(method == m and pattern.match(path) for m, pattern in HEAVY_REQUESTS)
