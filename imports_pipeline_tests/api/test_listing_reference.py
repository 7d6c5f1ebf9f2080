"""The list features of the reference documents (Fleetio, Leadsy; issue 9), over HTTP on SQLite
and PostgreSQL: several statuses, sort by id, per_page, id_eq, file_processed_at ranges, keyset
metadata (start_cursor, estimated_remaining_count, filtered_by, sorted_by) and next/prev pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from imports_pipeline.processing import ImportProcessing
from imports_pipeline.vocabulary import PHASE_ORDER
from imports_pipeline_tests.service import SEED_MAPPING


def listed(api, **params):
    response = api.client.get("/v2/imports/sessions", headers=api.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page) -> list[str]:
    return [item["id"] for item in page["items"]]


def make_sessions(api, clock, count: int) -> list[str]:
    made = []
    for _ in range(count):
        made.append(api.created_id())
        clock.now += timedelta(seconds=1)
    return made


def test_several_statuses_in_one_filter_in_either_spelling(any_db_api, clock):
    api = any_db_api
    parsed, validated, _other = make_sessions(api, clock, 3)
    api.client.post(
        f"/v2/imports/{validated}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    api.client.post(
        f"/v2/imports/{_other}/unique-values", headers=api.headers, json={"mapping": SEED_MAPPING}
    )  # now mapped
    both = sorted([parsed, validated])
    assert sorted(ids(listed(api, status="parsed,validated"))) == both
    assert sorted(ids(listed(api, **{"filter[status][include]": "parsed,validated"}))) == both
    repeated = api.client.get(
        "/v2/imports/sessions?status=parsed&status=validated", headers=api.headers
    ).json()
    assert sorted(ids(repeated)) == both
    assert ids(listed(api, status="mapped")) == [_other]
    assert listed(api, status="parsed,validated")["filtered_by"] == {
        "status": ["parsed", "validated"]
    }


def test_sort_by_id_both_ways_and_per_page_as_size(any_db_api, clock):
    api = any_db_api
    made = make_sessions(api, clock, 5)
    ascending = listed(api, sort="id", per_page=2)
    assert (ascending["size"], ascending["pages"], ascending["sorted_by"]) == (2, 3, "id")
    assert ids(ascending) == sorted(made)[:2]
    assert ids(listed(api, sort="-id", size=5)) == sorted(made, reverse=True)
    assert (
        api.client.get("/v2/imports/sessions?per_page=1", headers=api.headers).status_code == 422
    )  # Fleetio allows 2-100


def test_a_keyset_walk_by_id_reports_where_it_started_and_what_is_left(any_db_api, clock):
    api = any_db_api
    made = sorted(make_sessions(api, clock, 5))
    first = listed(api, sort="id", size=2)
    assert (first["start_cursor"], first["estimated_remaining_count"]) == (None, 3)
    second = listed(api, sort="id", size=2, cursor=first["next_cursor"])
    assert ids(second) == made[2:4]
    assert (second["start_cursor"], second["estimated_remaining_count"]) == (
        first["next_cursor"],
        1,
    )
    last = listed(api, sort="id", size=2, cursor=second["next_cursor"])
    assert (ids(last), last["next_cursor"], last["estimated_remaining_count"]) == (
        made[4:],
        None,
        0,
    )


def test_the_remaining_count_stops_at_500(any_db_api, monkeypatch):
    api = any_db_api
    from imports_pipeline.store import session_listing

    monkeypatch.setattr(session_listing, "REMAINING_COUNT_CAP", 2)
    for _ in range(5):
        api.created_id()
    assert listed(api, size=1)["estimated_remaining_count"] == 2
    first = listed(api, size=1)
    assert listed(api, size=1, cursor=first["next_cursor"])["estimated_remaining_count"] == 2


def test_page_lists_name_the_next_and_previous_pages(any_db_api, clock):
    api = any_db_api
    make_sessions(api, clock, 5)
    pages = [listed(api, size=2, page=n) for n in (1, 2, 3, 4)]
    assert [(p["prev_page"], p["next_page"]) for p in pages] == [
        (None, 2),
        (1, 3),
        (2, None),
        (3, None),  # past the end: empty, and the way back is the last page
    ]


def test_id_eq_and_the_file_processed_at_range(any_db_api, clock):
    api = any_db_api
    processed, waiting = make_sessions(api, clock, 2)
    assert ids(listed(api, id_eq=processed)) == [processed]
    api.client.post(
        f"/v2/imports/{processed}/validate", headers=api.headers, json={"mapping": SEED_MAPPING}
    )
    api.client.post(
        f"/v2/imports/{processed}/submit", headers=api.headers, json={"ignore_errors": True}
    )
    processing = ImportProcessing(api.service, api.client.app.state.destination, processed)
    for phase in PHASE_ORDER:
        getattr(processing, phase.value)()
    settled = api.client.get(f"/v2/imports/{processed}/status", headers=api.headers).json()
    at = settled["finished_at"]
    assert ids(listed(api, file_processed_at_gteq=at)) == [processed]
    assert ids(listed(api, file_processed_at_lteq=at)) == [processed]
    assert ids(listed(api, file_processed_at_gt=at)) == []
    assert ids(listed(api, file_processed_at_lt=at)) == []
    assert waiting not in ids(listed(api, file_processed_at_gteq="2000-01-01T00:00:00"))


@pytest.mark.parametrize("parameter", ["id_eq", "file_processed_at_gteq"])
def test_filters_are_echoed_in_filtered_by(any_db_api, parameter):
    api = any_db_api
    value = "2026-01-01T00:00:00" if parameter.startswith("file") else "nothing-has-this-id"
    page = listed(api, **{parameter: value})
    assert page["filtered_by"] == {parameter: value} and page["items"] == []
