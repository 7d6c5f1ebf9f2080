"""The retry arithmetic and the reading of answers, on real ``httpx.Response`` objects."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from imports_pipeline.client import RetryPolicy
from imports_pipeline.client.transport import api_error, retry_after_seconds


def test_backoff_doubles_up_to_its_cap_and_retry_after_wins_up_to_its_own():
    policy = RetryPolicy(backoff_seconds=0.5, max_backoff_seconds=3.0, max_retry_after_seconds=10)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert policy.delay(1, retry_after=7) == 7
    assert policy.delay(1, retry_after=600) == 10
    assert policy.delay(1, retry_after=-5) == 0


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "2"})) == 2.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    from_date = retry_after_seconds(httpx.Response(503, headers={"Retry-After": later}))
    assert from_date is not None and 25 < from_date <= 30
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(503)) is None


def test_an_error_body_gives_status_code_and_detail_and_other_bodies_still_name_the_status():
    body = {"detail": "Import session not found", "code": "IMPORT_NOT_FOUND", "status": 404}
    error = api_error(httpx.Response(404, json=body))
    assert (error.status_code, error.code, error.detail, error.body) == (
        404,
        "IMPORT_NOT_FOUND",
        "Import session not found",
        body,
    )
    gateway = api_error(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert (gateway.status_code, gateway.code, gateway.detail) == (
        502,
        "HTTP_502",
        "<html>Bad Gateway</html>",
    )
    assert str(gateway) == "502 HTTP_502: <html>Bad Gateway</html>"


@pytest.mark.parametrize("attempts", [0, -1])
def test_a_policy_without_a_first_attempt_is_refused(attempts):
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=attempts)


def test_retry_after_is_kept_when_the_body_is_not_an_error_body():
    assert api_error(httpx.Response(503, headers={"Retry-After": "3"})).retry_after == 3.0


def test_the_client_loads_no_server_machinery():
    """Importing the client pulls in neither the API package nor FastAPI, SQL, Dagster or the
    table libraries: a partner's script needs only httpx and pydantic of ours."""
    probe = (
        "import sys, imports_pipeline.client\n"
        "heavy = {'fastapi', 'starlette', 'sqlalchemy', 'dagster',"
        " 'pandas', 'pyarrow', 'pandera'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m.startswith('imports_pipeline.api')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
