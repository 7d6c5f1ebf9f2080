"""Template metadata and option sources, for clients that render pickers."""

from __future__ import annotations


def test_templates_list_and_detail(api):
    listed = api.client.get("/v2/imports/templates", headers=api.headers).json()
    assert [t["id"] for t in listed] == ["leads", "logistics_recharges", "logistics_requests"]
    template = api.client.get(
        "/v2/imports/templates/logistics_requests", headers=api.headers
    ).json()
    columns = {c["key"]: c for c in template["columns"]}
    assert columns["distance_km"]["type"] == "number" and columns["distance_km"]["required"] is True
    assert (
        columns["origin_country"]["options_source"] == "countries"
        and columns["origin_country"]["options"] is None
    )
    missing = api.client.get("/v2/imports/templates/nope", headers=api.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "TEMPLATE_NOT_FOUND"


def test_options_resolve_a_source_into_values_and_labels(api):
    countries = api.client.get("/v2/imports/options/countries", headers=api.headers).json()
    spain = next(o for o in countries["options"] if o["value"] == "ES")
    assert (
        countries["source_key"] == "countries"
        and spain["label"] == "Spain"
        and "España" in spain["aliases"]
    )
    missing = api.client.get("/v2/imports/options/planets", headers=api.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "OPTION_SOURCE_NOT_FOUND"
