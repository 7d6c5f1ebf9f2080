"""The load test, reduced for CI (issue 14): concurrent clients of three organizations doing whole
imports against a live server, on SQLite and on PostgreSQL. The full run (50 clients, 500
sessions) and its throughput figures are ``benchmarks/load.py``; here only correctness is
asserted: no 5xx, no request left without an answer, every count in its own session."""

from __future__ import annotations

import asyncio

import pytest

from imports_pipeline_tests.end_to_end.load import run_load
from imports_pipeline_tests.end_to_end.processes import (
    cpu_ticks,
    database_for,
    live_api,
    worker_processes,
)
from imports_pipeline_tests.service import SAMPLE_CSV

pytestmark = pytest.mark.slow
ORGANIZATIONS = ("org-load-a", "org-load-b", "org-load-c")
CLIENTS = 12
SESSIONS = 36


# PostgreSQL with two API processes (`serve --workers 2`): sessions, idempotency keys and remembered
# mappings are then shared between processes, as behind a load balancer.
@pytest.mark.parametrize(("database", "workers"), [("sqlite", 1), ("postgres", 2)])
def test_concurrent_clients_of_three_organizations_get_every_answer_right(
    tmp_path, request, database, workers
):
    url = database_for(database, tmp_path, request)
    options = ["--workers", str(workers)]
    with live_api(tmp_path, url, ORGANIZATIONS, options) as (api, keys, processes):
        pids = worker_processes(api.process.pid)
        assert len(pids) == (workers if workers > 1 else 0)
        before = {pid: cpu_ticks(pid) for pid in pids}
        result = asyncio.run(run_load(api.url, keys, SAMPLE_CSV.read_bytes(), CLIENTS, SESSIONS))
        processes.check_alive()
        worked = {pid: cpu_ticks(pid) - ticks for pid, ticks in before.items()}
        listed = {
            org: api.call(
                "GET",
                "/v2/imports/sessions?size=100",
                headers={"x-api-key": key, "x-organization-id": org},
            ).json()
            for org, key in keys.items()
        }
    assert result.lost == [] and result.wrong == [], (result.lost[:5], result.wrong[:5])
    assert result.server_errors == 0 and result.completed == SESSIONS
    # Every worker took a share of the clients' connections, so a second process adds a core.
    # (12 connections; one worker with none by chance is 1 in 2,048.)
    for ticks in worked.values():
        assert ticks > 0.05 * sum(worked.values()), worked
    # Each organization sees its own sessions and nobody else's: 36 sessions, 12 each.
    for org, page in listed.items():
        assert page["total"] == SESSIONS // len(ORGANIZATIONS)
        assert {item["organization_id"] for item in page["items"]} == {org}
