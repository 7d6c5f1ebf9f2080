"""Shared option sources: complete, bilingual, unambiguous, and matching real customer values."""

from __future__ import annotations

import re

import pytest

from imports_pipeline.errors import UnknownOptionSourceError
from imports_pipeline.templates.model import Option
from imports_pipeline.templates.option_sources import OPTION_SOURCES, resolve_option_source


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def index(options: list[Option]) -> dict[str, set[str]]:
    """Normalised value/label/alias → the option values it points to."""
    found: dict[str, set[str]] = {}
    for option in options:
        for name in (option.value, option.label, *option.aliases):
            found.setdefault(normalise(name), set()).add(option.value)
    return found


def by_value(key: str) -> dict[str, Option]:
    return {option.value: option for option in resolve_option_source(key)}


def test_registry_has_the_three_documented_sources() -> None:
    assert sorted(OPTION_SOURCES) == ["countries", "fuels", "logistics_tocs"]


def test_countries_cover_iso_3166_with_unique_alpha2_values() -> None:
    countries = resolve_option_source("countries")
    values = [option.value for option in countries]
    assert len(countries) >= 245
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[A-Z]{2}", value) for value in values)


@pytest.mark.parametrize(
    ("code", "english", "spanish"),
    [("ES", "Spain", "España"), ("DE", "Germany", "Alemania"), ("FR", "France", "Francia")],
)
def test_countries_have_english_label_and_spanish_alias(
    code: str, english: str, spanish: str
) -> None:
    country = by_value("countries")[code]
    assert country.label == english
    assert spanish in country.aliases


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("ESP", "ES"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Reino Unido", "GB"),
        ("USA", "US"),
        ("EEUU", "US"),
        ("Estados Unidos", "US"),
        ("Holland", "NL"),
        ("Países Bajos", "NL"),
        ("Alemania", "DE"),
        ("Deutschland", "DE"),
        ("South Korea", "KR"),
        ("Corea del Sur", "KR"),
    ],
)
def test_country_variants_are_aliases(raw: str, code: str) -> None:
    assert index(resolve_option_source("countries"))[normalise(raw)] == {code}


@pytest.mark.parametrize("key", sorted(OPTION_SOURCES))
def test_no_name_points_to_two_options(key: str) -> None:
    ambiguous = {
        name: values
        for name, values in index(resolve_option_source(key)).items()
        if len(values) > 1
    }
    assert ambiguous == {}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("diesel", "diesel"),
        ("Diesel", "diesel"),
        ("petrol", "petrol"),
        ("HVO", "hvo"),
        ("electric", "electric"),
        ("LNG", "lng"),
        ("Gasolina", "petrol"),
        ("GLP", "lpg"),
        ("GNC", "cng"),
    ],
)
def test_bench_fuel_values_match(raw: str, value: str) -> None:
    assert index(resolve_option_source("fuels"))[normalise(raw)] == {value}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Van <3.5t", "van_lt_3_5t"),
        ("Rigid truck 7.5-12t", "rigid_truck_7_5_12t"),
        ("Articulated truck >33t", "articulated_truck_gt_33t"),
        ("  articulated   TRUCK >33t ", "articulated_truck_gt_33t"),
    ],
)
def test_bench_vehicle_types_match(raw: str, value: str) -> None:
    assert index(resolve_option_source("logistics_tocs"))[normalise(raw)] == {value}


def test_vehicle_types_include_the_documented_classes_with_spanish_names() -> None:
    tocs = by_value("logistics_tocs")
    for value in [
        "van_lt_3_5t",
        "rigid_truck_3_5_7_5t",
        "rigid_truck_7_5_12t",
        "rigid_truck_12_20t",
        "rigid_truck_gt_20t",
        "articulated_truck_lt_33t",
        "articulated_truck_gt_33t",
        "car",
        "motorbike",
        "train_freight",
        "ship_container",
        "air_freight",
    ]:
        assert value in tocs
    assert tocs["van_lt_3_5t"].label == "Van < 3.5 t"
    assert "Furgoneta" in tocs["van_lt_3_5t"].aliases


def test_resolving_returns_a_fresh_list_each_time() -> None:
    first = resolve_option_source("fuels")
    first.clear()
    assert len(resolve_option_source("fuels")) > 0


def test_unknown_source_lists_the_known_keys() -> None:
    with pytest.raises(UnknownOptionSourceError) as raised:
        resolve_option_source("planets")
    assert "planets" in str(raised.value)
    assert "countries, fuels, logistics_tocs" in str(raised.value)
