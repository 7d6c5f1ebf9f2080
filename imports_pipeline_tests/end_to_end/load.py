"""Many clients doing whole imports at once against a live server (issue 14's load test).

Each session is the contract's flow on the 240-row example as a client would drive it: create,
suggest, validate with the suggested mapping, the rows with errors, a correction, submit,
status. Every answer is checked against what that session must show (its own organization, its
240 rows, one error fewer after the correction), so a row or a count that lands in the wrong
session is found, not only a 5xx. A request that gets no answer at all is counted as lost.

Used by the reduced run in CI (``test_load.py``) and the full one in ``benchmarks/load.py``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

SAMPLE_ROWS = 240
MAX_BUSY_RETRIES = 100
CORRECTION = {"row_index": 17, "column": "distance_km", "value": 128.4}
"""Row 17 of the example has a distance the template refuses; 128.4 is one it takes."""


@dataclass
class LoadResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    completed: int = 0
    seconds: float = 0.0
    worker_cpu_seconds: list[float] = field(default_factory=list)
    """CPU each API process spent during the run (filled by the benchmark)."""

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, step: str, fraction: float) -> float:
        ordered = sorted(self.latencies.get(step, []))
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


class SessionFlow:
    """One client: takes session numbers from the shared counter until all are done."""

    def __init__(
        self, client: httpx.AsyncClient, keys: Mapping[str, str], sample: bytes, result: LoadResult
    ) -> None:
        self.client = client
        self.organizations = sorted(keys)
        self.keys = keys
        self.sample = sample
        self.result = result

    async def call(
        self, step: str, organization: str, method: str, path: str, expected: int, **kwargs
    ) -> dict | None:
        headers = {
            "x-api-key": self.keys[organization],
            "x-organization-id": organization,
            **kwargs.pop("headers", {}),
        }
        started = time.perf_counter()
        for _ in range(MAX_BUSY_RETRIES):
            try:
                answer = await self.client.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                self.result.lost.append(f"{step}: {type(error).__name__}: {error}")
                return None
            self.result.statuses[answer.status_code] += 1
            if answer.status_code != 429:
                break
            # The server is at its limit of heavy requests: wait as it says, as a client should.
            await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
        # The time a client waits for its answer, the waits for a free slot included.
        self.result.latencies.setdefault(step, []).append(time.perf_counter() - started)
        if answer.status_code != expected:
            self.result.wrong.append(f"{step}: {answer.status_code} {answer.text[:300]}")
            return None
        return answer.json()

    async def run(self, numbers: asyncio.Queue[int]) -> None:
        while True:
            try:
                number = numbers.get_nowait()
            except asyncio.QueueEmpty:
                return
            if await self.one_session(self.organizations[number % len(self.organizations)]):
                self.result.completed += 1

    async def one_session(self, org: str) -> bool:
        created = await self.call(
            "create",
            org,
            "POST",
            "/v2/imports/sessions",
            201,
            data={"template_id": "logistics_requests", "numeric_locale": "es_ES"},
            files={"upload_file": ("logistics_march.csv", self.sample, "text/csv")},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if created is None or not self.check(created["total_rows"] == SAMPLE_ROWS, "create rows"):
            return False
        base = f"/v2/imports/{created['import_id']}"
        suggested = await self.call("suggest", org, "POST", f"{base}/mapping/suggest", 200, json={})
        if suggested is None:
            return False
        validated = await self.call(
            "validate", org, "POST", f"{base}/validate", 200, json={"mapping": suggested["mapping"]}
        )
        if validated is None or not self.check(
            validated["valid_rows"] + validated["error_rows"] == SAMPLE_ROWS, "validate counts"
        ):
            return False
        errors = await self.call("rows", org, "GET", f"{base}/rows?errors_only=true", 200)
        patched = await self.call(
            "patch", org, "PATCH", f"{base}/rows", 200, json={"corrections": [CORRECTION]}
        )
        if errors is None or patched is None:
            return False
        submitted = await self.call(
            "submit",
            org,
            "POST",
            f"{base}/submit",
            200,
            json={"ignore_errors": True},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        status = await self.call("status", org, "GET", f"{base}/status", 200)
        if submitted is None or status is None:
            return False
        return all(
            (
                self.check(status["id"] == created["import_id"], "status id"),
                self.check(status["organization_id"] == org, "status organization"),
                self.check(status["total_rows"] == SAMPLE_ROWS, "status rows"),
                self.check(status["error_rows"] == validated["error_rows"] - 1, "status errors"),
            )
        )

    def check(self, holds: bool, what: str) -> bool:
        if not holds:
            self.result.wrong.append(f"wrong value: {what}")
        return holds


async def run_load(
    base_url: str, keys: Mapping[str, str], sample: bytes, clients: int, sessions: int
) -> LoadResult:
    result = LoadResult()
    numbers: asyncio.Queue[int] = asyncio.Queue()
    for number in range(sessions):
        numbers.put_nowait(number)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=300, limits=limits) as client:
        flows = [SessionFlow(client, keys, sample, result) for _ in range(clients)]
        await asyncio.gather(*(flow.run(numbers) for flow in flows))
    result.seconds = time.perf_counter() - started
    return result
