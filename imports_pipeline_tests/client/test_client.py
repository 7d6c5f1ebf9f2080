"""The Python client against a live API (uvicorn as a real process): the contract's whole
interactive flow, error bodies as ImportsApiError, retries that reuse their Idempotency-Key, and
the async upload."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from imports_pipeline.api.heavy_requests import RETRY_AFTER_SECONDS
from imports_pipeline.client import (
    ImportsApiError,
    ImportsClient,
    ImportsConnectionError,
    ImportsTimeoutError,
    RetryPolicy,
)
from imports_pipeline.vocabulary import ProcessingStatus, SessionStatus
from imports_pipeline_tests.client.conftest import LiveApi, process_in_background
from imports_pipeline_tests.client.proxy import proxy_to
from imports_pipeline_tests.end_to_end.processes import free_port, wait_for
from imports_pipeline_tests.service import SAMPLE_CSV as SAMPLE
from imports_pipeline_tests.service import SAMPLE_MAPPING

pytestmark = pytest.mark.slow

TEMPLATE = "logistics_requests"
FAST_RETRY = RetryPolicy(attempts=3, backoff_seconds=0.05)
FIRST_BACKOFF = RetryPolicy().delay(1)


@pytest.fixture
def client(live_api: LiveApi) -> Iterator[ImportsClient]:
    with ImportsClient(live_api.url, live_api.key, live_api.organization_id) as client:
        yield client


def test_the_contracts_flow_from_upload_to_processed(client, live_api):
    created = client.create_session(TEMPLATE, SAMPLE, numeric_locale="es_ES")
    assert (created.total_rows, created.source_columns) == (240, list(SAMPLE_MAPPING.values()))

    suggested = client.suggest_mapping(created.import_id)
    assert (suggested.mapping, suggested.unmapped_required) == (SAMPLE_MAPPING, [])
    values = client.unique_values(created.import_id, suggested.mapping)
    assert {v.raw_value for v in values.columns["origin_country"]} >= {"ES", "FR"}

    validated = client.validate(created.import_id, suggested.mapping, page_size=10)
    assert (validated.status, validated.valid_rows, validated.error_rows) == (
        SessionStatus.VALIDATED,
        238,
        2,
    )
    bad = client.rows(created.import_id, errors_only=True)
    assert {(r.row_index, r.errors[0].code) for r in bad.rows} == {
        (17, "invalid_type"),
        (203, "out_of_range"),
    }
    report = client.download_error_report(created.import_id, "csv")
    assert len(list(csv.DictReader(io.StringIO(report.decode("utf-8-sig"))))) == 2

    patched = client.patch_rows(
        created.import_id,
        [
            {"row_index": 17, "column": "distance_km", "value": 128.4},
            {"row_index": 203, "column": "distance_km", "value": "15,0"},
        ],
    )
    assert (patched.remaining_errors, patched.valid_rows) == (0, 240)

    submitted = client.submit(created.import_id)
    assert submitted.rows_submitted == 240
    process_in_background(live_api, created.import_id)
    final = client.wait_until_processed(created.import_id, timeout=120, poll=0.5)
    assert final.processing_status is ProcessingStatus.COMPLETED
    assert (final.processed_rows, final.failed_rows, final.success_rate) == (240, 0, 100.0)
    assert client.download_upload(created.import_id) == SAMPLE.read_bytes()

    rolled = client.rollback(created.import_id)
    assert (rolled.processing_status, rolled.rows_removed) == (ProcessingStatus.ROLLED_BACK, 240)
    with pytest.raises(ImportsApiError) as twice:
        client.rollback(created.import_id)
    assert twice.value.status_code == 409


def test_listing_filters_and_cursor_pages(client):
    time.sleep(1.1)  # created_at is kept to the second: no earlier session shares this one
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    made = {client.create_session(TEMPLATE, SAMPLE, name=f"listed-{n}").import_id for n in range(3)}
    first = client.list_sessions(
        status=[SessionStatus.PARSED], created_at_gte=before, size=2, sort="created_at"
    )
    assert first.total == 3 and len(first.items) == 2 and first.next_cursor
    rest = client.list_sessions(
        created_at_gte=before, size=2, sort="created_at", cursor=first.next_cursor
    )
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert {s.id for s in first.items + rest.items} == made
    assert first.filtered_by["status"] == ["parsed"]


def test_downloads_write_to_a_path(client, tmp_path):
    created = client.create_session(TEMPLATE, SAMPLE.read_bytes(), file_name="march.csv")
    written = client.download_converted_upload(created.import_id, "json", to=tmp_path / "up.json")
    assert written == tmp_path / "up.json"
    assert len(httpx.Response(200, content=written.read_bytes()).json()) == 240
    assert not (tmp_path / "up.json.part").exists()


def test_templates_and_options_are_the_servers(client):
    assert TEMPLATE in {t.id for t in client.list_templates()}
    template = client.get_template(TEMPLATE)
    assert "distance_km" in template.column_keys
    countries = client.get_options("countries")
    assert "ES" in {o.value for o in countries.options}


def test_error_bodies_become_imports_api_errors_with_their_code(client, live_api):
    with pytest.raises(ImportsApiError) as missing:
        client.status("no-such-import")
    assert (missing.value.status_code, missing.value.code) == (404, "IMPORT_NOT_FOUND")
    assert "no-such-import" in str(missing.value.detail)

    with pytest.raises(ImportsApiError) as template:
        client.create_session("no_such_template", b"a;b\n1;2\n", file_name="x.csv")
    assert (template.value.status_code, template.value.code) == (404, "TEMPLATE_NOT_FOUND")

    created = client.create_session(TEMPLATE, SAMPLE, numeric_locale="es_ES")
    with pytest.raises(ImportsApiError) as early:
        client.submit(created.import_id)
    assert (early.value.status_code, early.value.code) == (409, "INVALID_STATE")

    with pytest.raises(ImportsApiError) as invalid:
        client.patch_rows(created.import_id, [{"row_index": -1, "column": "client", "value": "X"}])
    assert (invalid.value.status_code, invalid.value.code) == (422, "INVALID_REQUEST")
    assert invalid.value.detail[0]["loc"] == ["body", "corrections", 0, "row_index"]

    stranger = ImportsClient(live_api.url, "not-a-key", live_api.organization_id)
    with stranger, pytest.raises(ImportsApiError) as refused:
        stranger.list_sessions()
    assert (refused.value.status_code, refused.value.code) == (401, "INVALID_API_KEY")


def test_a_server_that_is_not_there_is_a_connection_error_after_every_attempt():
    client = ImportsClient(f"http://127.0.0.1:{free_port()}", "k", "o", retry=FAST_RETRY)
    with client, pytest.raises(ImportsConnectionError, match="3 attempt"):
        client.list_templates()


def test_wait_until_processed_gives_up_with_the_last_status(client):
    created = client.create_session(TEMPLATE, SAMPLE, numeric_locale="es_ES")
    started = time.monotonic()
    with pytest.raises(ImportsTimeoutError, match="not processed after 1 s") as waited:
        client.wait_until_processed(created.import_id, timeout=1, poll=0.2)
    assert 1 <= time.monotonic() - started < 5
    assert waited.value.last.status is SessionStatus.PARSED


def test_a_lost_answer_is_retried_with_the_same_key_and_replayed_not_redone(live_api):
    """The proxy forwards the first create and drops its answer: the server made the session,
    the client saw the connection close. The retry carries the same key and gets the replay."""
    with proxy_to(live_api.url) as proxy:
        proxy.lose_answer = lambda method, path, number: method == "POST" and number == 0
        with ImportsClient(
            proxy.url, live_api.key, live_api.organization_id, retry=FAST_RETRY
        ) as client:
            created = client.create_session(TEMPLATE, SAMPLE, name="lost-answer")
            sessions = client.list_sessions(size=100)
    creates = [s for s in proxy.seen if s.method == "POST"]
    assert [(s.status_code, s.answered) for s in creates] == [(201, False), (201, True)]
    keys = {s.headers.get("idempotency-key") for s in creates}
    assert len(keys) == 1 and None not in keys
    assert [s.id for s in sessions.items if s.name == "lost-answer"] == [created.import_id]


def test_a_429_is_waited_out_as_retry_after_says_with_the_same_key(live_api):
    """The server runs one heavy request at a time; an async upload held open fills the slot,
    so the create is refused with 429 and Retry-After, and goes through on the retry."""
    with ImportsClient(live_api.url, live_api.key, live_api.organization_id) as direct:
        ticket = direct.create_session_async(TEMPLATE, "held.csv")
    release, first_part_sent = threading.Event(), threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield SAMPLE.read_bytes()[:100]
        first_part_sent.set()  # headers and a first part are on the wire: the slot is its
        release.wait(30)
        yield SAMPLE.read_bytes()[100:]

    holder = threading.Thread(
        target=lambda: httpx.put(ticket.upload_url, content=slow_body(), timeout=60), daemon=True
    )
    holder.start()
    assert first_part_sent.wait(20)

    def slot_taken() -> bool:  # a heavy request that would be a quick 404 if it got through
        probe = httpx.post(
            f"{live_api.url}/v2/imports/no-such-import/validate",
            headers=live_api.server.headers,
            json={},
        )
        return probe.status_code == 429

    wait_for("the upload to hold the one heavy-request slot", slot_taken, timeout=20, interval=0.1)
    with (
        proxy_to(live_api.url) as proxy,
        ImportsClient(proxy.url, live_api.key, live_api.organization_id) as client,
    ):

        def release_once_refused() -> None:  # the slot frees only after the create saw its 429
            wait_for("a 429", lambda: any(s.status_code == 429 for s in proxy.seen), 30, 0.05)
            release.set()

        threading.Thread(target=release_once_refused, daemon=True).start()
        started = time.monotonic()
        created = client.create_session(TEMPLATE, SAMPLE, numeric_locale="es_ES")
        waited = time.monotonic() - started
    holder.join(30)
    creates = [s for s in proxy.seen if s.method == "POST"]
    assert [s.status_code for s in creates] == [429, 201]
    assert len({s.headers["idempotency-key"] for s in creates}) == 1
    assert waited >= RETRY_AFTER_SECONDS > FIRST_BACKOFF  # Retry-After, not the backoff
    assert created.total_rows == 240


def test_the_async_upload_mode(client):
    ticket = client.create_session_async(TEMPLATE, SAMPLE.name, numeric_locale="es_ES")
    assert (ticket.status, ticket.upload_mode) == (SessionStatus.CREATED, "async")
    created = client.upload_to(ticket.upload_url, SAMPLE)
    assert (created.import_id, created.total_rows) == (ticket.import_id, 240)
    with pytest.raises(ImportsApiError) as again:
        client.upload_to(ticket.upload_url, SAMPLE)
    assert again.value.status_code in (409, 410)
    assert client.status(ticket.import_id).status is SessionStatus.PARSED


def test_an_async_create_whose_answer_was_lost_is_replayed(live_api):
    with proxy_to(live_api.url) as proxy:
        proxy.lose_answer = lambda method, path, number: method == "POST" and number == 0
        with ImportsClient(
            proxy.url, live_api.key, live_api.organization_id, retry=FAST_RETRY
        ) as client:
            ticket = client.create_session_async(TEMPLATE, "later.csv", name="lost-async")
            created = client.upload_to(ticket.upload_url, SAMPLE)
    assert [s.status_code for s in proxy.seen if s.method == "POST"] == [201, 201]
    assert created.import_id == ticket.import_id


def test_a_503_in_front_of_the_server_is_retried_only_where_repeating_is_safe(client, live_api):
    """GET and the keyed submit wait out ``Retry-After`` and go through; validate, which carries
    no key, is not repeated: the caller decides."""
    created = client.create_session(TEMPLATE, SAMPLE, numeric_locale="es_ES")
    client.validate(created.import_id, SAMPLE_MAPPING)
    with proxy_to(live_api.url) as proxy:
        proxy.answer_instead = lambda method, path, number: 503 if number in (0, 2, 3) else None
        with ImportsClient(proxy.url, live_api.key, live_api.organization_id) as through:
            started = time.monotonic()
            assert through.status(created.import_id).id == created.import_id
            assert time.monotonic() - started >= 1.0  # Retry-After: 1
            with pytest.raises(ImportsApiError) as unkeyed:
                through.validate(created.import_id, SAMPLE_MAPPING)
            assert (unkeyed.value.status_code, unkeyed.value.code) == (503, "HTTP_503")
            submitted = through.submit(created.import_id, ignore_errors=True)
    assert submitted.rows_submitted == 238
    seen = [(s.method, s.path.split("?")[0].rsplit("/", 1)[-1], s.status_code) for s in proxy.seen]
    assert seen == [
        ("GET", "status", 503),
        ("GET", "status", 200),
        ("POST", "validate", 503),
        ("POST", "submit", 503),
        ("POST", "submit", 200),
    ]
    submit_keys = {s.headers["idempotency-key"] for s in proxy.seen if s.path.endswith("submit")}
    assert len(submit_keys) == 1
