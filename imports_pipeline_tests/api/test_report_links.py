"""Signed report links over real HTTP: they open without API-key headers, for one session and one
format, until they expire; an altered or expired one is a 403 that says why."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from openpyxl import Workbook, load_workbook

from imports_pipeline_tests.api.test_files import MAPPING, validated


def link(api, import_id: str, fmt: str = "xlsx", headers=None) -> dict:
    response = api.client.get(
        f"/v2/imports/{import_id}/files/errors.{fmt}/link",
        headers=api.headers if headers is None else headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def opened(api, url: str):
    """The link as a browser follows it: no API key, no organization header."""
    return api.client.get(url)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(query)}"


def test_a_signed_link_opens_the_report_without_api_key_headers(api, clock):
    import_id = validated(api)
    signed = link(api, import_id)
    assert signed["format"] == "xlsx"
    assert signed["url"].split("?")[0].endswith(f"/v2/imports/{import_id}/files/signed/errors.xlsx")
    query = parse_qs(urlsplit(signed["url"]).query)
    assert set(query) == {"expires", "signature"}
    assert signed["expires_at"].startswith("2026-04-08T14:15:00")  # 15 minutes by default

    response = opened(api, signed["url"])
    assert response.status_code == 200
    assert 'filename="trips.errors.xlsx"' in response.headers["content-disposition"]
    with_key = api.client.get(f"/v2/imports/{import_id}/files/errors.xlsx", headers=api.headers)
    assert with_key.status_code == 200  # the authenticated download is still there
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["errors"]["A"][1:]] == [1, 2]

    as_csv = opened(api, link(api, import_id, "csv")["url"])
    assert (
        as_csv.status_code == 200
        and as_csv.content
        == api.client.get(f"/v2/imports/{import_id}/files/errors.csv", headers=api.headers).content
    )


def test_an_expired_link_is_refused_with_when_it_expired(api, clock):
    import_id = validated(api)
    signed = link(api, import_id)
    clock.now += timedelta(minutes=15)
    response = opened(api, signed["url"])
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "DOWNLOAD_LINK_EXPIRED"
    assert "expired at 2026-04-08T14:15:00" in body["detail"]


def test_an_altered_link_is_refused(api):
    import_id = validated(api)
    url = link(api, import_id)["url"]
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    expires = parse_qs(urlsplit(url).query)["expires"][0]
    for changed in (
        with_query(url, signature=("A" if signature[0] != "A" else "B") + signature[1:]),
        with_query(url, expires=str(int(expires) + 3600)),  # a longer life
        with_query(url, expires="soon"),
        with_query(url, expires="³"),  # a digit to str.isdigit, not to int(): was a 500
        with_query(url, expires="9" * 5000),  # past int()'s digit limit: was a 500
        with_query(url, signature="ÉÞ𕙊"),
        with_query(url, signature=""),
        url.replace("errors.xlsx", "errors.csv"),  # another format
    ):
        response = opened(api, changed)
        assert response.status_code == 403, changed
        assert response.json()["code"] == "INVALID_SIGNED_LINK"
        assert "link" in response.json()["detail"]


def test_a_link_opens_its_own_session_only(api):
    first, second = validated(api), validated(api)
    url = link(api, first)["url"]
    response = opened(api, url.replace(first, second))
    assert response.status_code == 403 and response.json()["code"] == "INVALID_SIGNED_LINK"
    other_org = api.client.get(
        f"/v2/imports/{first}/files/errors.xlsx/link", headers=api.other_headers
    )
    assert other_org.status_code == 404  # another tenant cannot even ask for one


def test_a_link_needs_a_key_to_be_made_and_a_validation(api):
    import_id = api.created_id()
    assert api.client.get(f"/v2/imports/{import_id}/files/errors.xlsx/link").status_code == 401
    early = api.client.get(f"/v2/imports/{import_id}/files/errors.xlsx/link", headers=api.headers)
    assert early.status_code == 409 and early.json()["code"] == "INVALID_STATE"
    missing = api.client.get(f"/v2/imports/{import_id}/files/signed/errors.xlsx")
    assert missing.status_code == 422
    assert {tuple(e["loc"]) for e in missing.json()["detail"]} == {
        ("query", "expires"),
        ("query", "signature"),
    }


def test_a_workbook_whose_header_is_on_row_3_reports_the_rows_a_person_sees(api):
    book = Workbook()
    sheet = book.active
    sheet.append(["Viajes de marzo"])
    sheet.append([])
    sheet.append(list(MAPPING.values()))
    sheet.append(["2026-03-01", "ACME", 12.5, "ES", "FR"])
    sheet.append(["2026-03-02", "ACME", "abc", "ES", "FR"])
    sheet.append(["2026-03-03", "ACME", -12.5, "ES", "FR"])
    out = io.BytesIO()
    book.save(out)
    import_id = api.created_id(content=out.getvalue(), name="trips.xlsx")
    validate = api.client.post(
        f"/v2/imports/{import_id}/validate", headers=api.headers, json={"mapping": MAPPING}
    )
    assert validate.status_code == 200, validate.text

    rows = api.client.get(
        f"/v2/imports/{import_id}/rows?errors_only=true", headers=api.headers
    ).json()["rows"]
    assert [(r["row_index"], r["spreadsheet_row"]) for r in rows] == [(1, 5), (2, 6)]

    report = load_workbook(io.BytesIO(opened(api, link(api, import_id)["url"]).content))
    errors = report["errors"]
    assert [(r[0].value, r[1].value) for r in errors.iter_rows(min_row=2)] == [(1, 5), (2, 6)]
    assert errors["E2"].value == "abc"
    assert errors["E3"].value == "-12.5"  # out of range: the cell as read, no apostrophe
    summary = {r[0].value: r[1].value for r in report["summary"].iter_rows() if r[0].value}
    assert summary["File"] == "trips.xlsx" and summary["Rows in the file"] == 3
    assert summary["Rows with errors"] == 2
