"""Listing sessions over real HTTP: every filter, and both pagination styles while new sessions
arrive."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest


def _walk(api, between_pages=lambda pages: None, **params) -> list[str]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        between_pages(pages)
        pages += 1
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v2/imports/sessions", headers=api.headers, params=query).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
def test_cursor_walk_sees_every_earlier_session_once_while_new_ones_arrive(any_db_api, clock, sort):
    api = any_db_api
    existing = []
    for _ in range(7):
        existing.append(api.created_id())
        clock.now += timedelta(seconds=1)
    clock.now += timedelta(minutes=5)  # everything created during the walk is newer
    stop = threading.Event()
    created_during: list[str] = []
    progress = threading.Condition()

    def keep_creating() -> None:
        while not stop.is_set() and len(created_during) < 30:
            session_id = api.created_id()
            with progress:
                created_during.append(session_id)
                progress.notify_all()

    def wait_for_a_new_session(pages: int) -> None:
        """Each page is asked for only after another client created one more session."""
        with progress:
            progress.wait_for(lambda: len(created_during) > pages, timeout=30)

    writer = threading.Thread(target=keep_creating)
    writer.start()
    try:
        walked = _walk(api, between_pages=wait_for_a_new_session, size=2, sort=sort)
    finally:
        stop.set()
        writer.join()
    assert len(walked) == len(set(walked)), "a session was handed out twice"
    earlier = [session_id for session_id in walked if session_id in existing]
    expected = list(reversed(existing)) if sort == "-created_at" else existing
    assert earlier == expected
    assert len(created_during) >= 4, "the writer thread did not create sessions during the walk"


def test_page_walk_pinned_to_a_snapshot_is_exact_while_new_ones_arrive(api, clock):
    """Offset pages shift when rows are inserted ahead of them; a created_at bound pins them."""
    existing = []
    for _ in range(5):
        existing.append(api.created_id())
        clock.now += timedelta(seconds=1)
    snapshot = (clock.now - timedelta(seconds=1)).isoformat()
    clock.now += timedelta(minutes=5)
    walked: list[str] = []
    for page in range(1, 4):
        body = api.client.get(
            "/v2/imports/sessions",
            headers=api.headers,
            params={"page": page, "size": 2, "created_at_lte": snapshot},
        ).json()
        assert body["total"] == 5 and body["pages"] == 3
        walked += [item["id"] for item in body["items"]]
        api.created_id()  # someone else creates a session between our pages
    assert walked == list(reversed(existing))
    unpinned = api.client.get(
        "/v2/imports/sessions", headers=api.headers, params={"page": 1, "size": 2}
    ).json()
    assert unpinned["total"] == 8


def test_each_list_filter_over_http(api, clock):
    from imports_pipeline_tests.api.conftest import ORG
    from imports_pipeline_tests.service import SEED_MAPPING

    old = api.created_id()
    clock.now += timedelta(hours=25)  # `old` is now past its 24 h TTL
    mine = api.created_id()
    other_user = api.created_id(headers=api.key_headers(ORG, "someone-else"))
    leads = api.created_id(
        content=b"Email,Nombre\na@b.com,Ana\n", name="leads.csv", template_id="leads"
    )
    validated = api.created_id()
    api.client.post(
        f"/v2/imports/{validated}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )

    def ids(**params) -> list[str]:
        response = api.client.get("/v2/imports/sessions", headers=api.headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json()["items"])

    assert ids() == sorted([mine, other_user, leads, validated])
    assert ids(include_expired="true") == sorted([old, mine, other_user, leads, validated])
    assert ids(status="expired") == [old]
    assert ids(status="validated") == [validated]
    assert ids(status="parsed") == sorted([mine, other_user, leads])
    assert ids(template_id="leads") == [leads]
    assert ids(user_id="someone-else") == [other_user]
    assert ids(status="parsed", template_id="logistics_requests", user_id="someone-else") == [
        other_user
    ]
    bad = api.client.get("/v2/imports/sessions", headers=api.headers, params={"size": 101})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "size"]
