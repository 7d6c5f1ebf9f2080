"""The map phase, header side: which source column feeds each template column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imports_pipeline.engine.mapping import Candidate, suggest_mapping
from imports_pipeline.engine.normalize import normalize_label, normalize_value, split_unit
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

COUNTRIES = (
    Option(value="ES", label="Spain", aliases=("España", "ESP")),
    Option(value="FR", label="France", aliases=("Francia", "FRA")),
    Option(value="DE", label="Germany", aliases=("Alemania", "Deutschland")),
    Option(value="PT", label="Portugal", aliases=("PRT",)),
)
VEHICLES = (
    Option(value="van_lt_3_5t", label="Van < 3.5 t", aliases=("Van <3.5t", "Furgoneta")),
    Option(
        value="rigid_truck_7_5_12t",
        label="Rigid truck 7.5-12 t",
        aliases=("Camión rígido 7.5-12 t",),
    ),
    Option(
        value="artic_truck_gt_33t", label="Articulated truck > 33 t", aliases=("Tráiler", "Artic")
    ),
)
FUELS = (
    Option(value="diesel", label="Diesel", aliases=("Gasóleo", "Gasoil")),
    Option(value="petrol", label="Petrol", aliases=("Gasolina", "Unleaded")),
)


def logistics_template() -> Template:
    """A realistic trips template: English labels, English and Spanish aliases."""
    return Template(
        id="logistics_requests",
        name="Logistics requests",
        key_columns=("reference",),
        columns=(
            TemplateColumn(
                key="trip_date",
                label="Trip date",
                type=ColumnType.DATE,
                required=True,
                aliases=("Date", "Shipment date", "Fecha", "Fecha viaje", "Fecha de envío"),
            ),
            TemplateColumn(
                key="client",
                label="Client",
                required=True,
                aliases=("Customer", "Client name", "Cliente", "Nombre cliente"),
            ),
            TemplateColumn(
                key="distance_km",
                label="Distance (km)",
                type=ColumnType.NUMBER,
                required=True,
                aliases=(
                    "Distance",
                    "Km",
                    "Kilometres",
                    "Distancia",
                    "Distancia (km)",
                    "Kilómetros",
                ),
            ),
            TemplateColumn(
                key="origin_country",
                label="Origin country",
                type=ColumnType.CATEGORY,
                required=True,
                options=COUNTRIES,
                aliases=("Origin", "From", "Country of origin", "Origen", "País de origen"),
            ),
            TemplateColumn(
                key="destination_country",
                label="Destination country",
                type=ColumnType.CATEGORY,
                required=True,
                options=COUNTRIES,
                aliases=("Destination", "To", "Destino", "País de destino"),
            ),
            TemplateColumn(
                key="vehicle_type",
                label="Vehicle type",
                type=ColumnType.CATEGORY,
                options=VEHICLES,
                aliases=("Vehicle", "Truck type", "Vehículo", "Tipo de vehículo"),
            ),
            TemplateColumn(
                key="load_kg",
                label="Load (kg)",
                type=ColumnType.NUMBER,
                aliases=("Load", "Weight", "Payload", "Carga", "Peso", "Peso (kg)"),
            ),
            TemplateColumn(
                key="fuel_type",
                label="Fuel type",
                type=ColumnType.CATEGORY,
                options=FUELS,
                aliases=("Fuel", "Energy", "Combustible", "Tipo de combustible"),
            ),
            TemplateColumn(
                key="cost_eur",
                label="Cost (EUR)",
                type=ColumnType.NUMBER,
                aliases=("Cost", "Price", "Amount", "Coste", "Importe", "Precio"),
            ),
            TemplateColumn(
                key="reference",
                label="Reference",
                unique=True,
                aliases=(
                    "Reference number",
                    "Shipment ID",
                    "Order number",
                    "Referencia",
                    "Nº pedido",
                ),
            ),
        ),
    )


TEMPLATE = logistics_template()
OPTIONS = {c.key: list(c.options) for c in TEMPLATE.columns if c.options}


def suggest(headers: list[str], rows: list[list[str | None]] | None = None, **kwargs):
    sample = pd.DataFrame(rows or [], columns=headers, dtype="str")
    return suggest_mapping(TEMPLATE, headers, sample, OPTIONS, **kwargs)


def column(suggestion, key: str):
    return next(c for c in suggestion.columns if c.template_column == key)


# --- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Distance (km)", "distance"),
        ("  DIST. ", "distance"),
        ("País de origen", "pais origen"),
        ("Country of origin", "country origin"),
        ("Nº pedido", "number pedido"),
        ("Qty", "quantity"),
        ("TripDate", "trip date"),
        ("distance_km", "distance km"),
        ("Load [kg]", "load"),
    ],
)
def test_normalize_label(header: str, expected: str) -> None:
    assert normalize_label(header) == expected


def test_split_unit_keeps_the_unit_apart() -> None:
    assert split_unit("Distance (km)") == ("Distance", "km")
    assert split_unit("Coste [€]") == ("Coste", "€")
    assert split_unit("Client") == ("Client", None)


def test_normalize_value_ignores_spacing_and_case_but_keeps_comparisons() -> None:
    assert (
        normalize_value("Van <3.5t")
        == normalize_value("van < 3.5 t")
        == normalize_value("VAN < 3,5 T")
    )
    assert normalize_value("Van <3.5t") != normalize_value("Van >3.5t")
    assert normalize_value("  España ") == "espana"


# --- header matching -------------------------------------------------------------------------


def test_seed_headers_map_exactly() -> None:
    headers = ["Trip Date", "Client", "Distance", "Origin Country", "Destination Country"]
    result = suggest(headers, [["2026-03-01", "ACME", "125,4", "ES", "FR"]])
    assert result.mapping == {
        "trip_date": "Trip Date",
        "client": "Client",
        "distance_km": "Distance",
        "origin_country": "Origin Country",
        "destination_country": "Destination Country",
    }
    assert result.unmapped_required == []
    assert [c.template_column for c in result.columns] == TEMPLATE.column_keys
    assert column(result, "trip_date").reason == "exact"
    assert column(result, "client").reason == "exact"
    assert column(result, "client").score == 1.0
    assert column(result, "vehicle_type").source_column is None
    assert column(result, "vehicle_type").score == 0.0


def test_spanish_headers_with_units() -> None:
    headers = [
        "Fecha",
        "Cliente",
        "Distancia (km)",
        "País de origen",
        "País de destino",
        "Peso (kg)",
        "Combustible",
        "Importe (€)",
    ]
    result = suggest(headers)
    assert result.mapping == {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Distancia (km)",
        "origin_country": "País de origen",
        "destination_country": "País de destino",
        "load_kg": "Peso (kg)",
        "fuel_type": "Combustible",
        "cost_eur": "Importe (€)",
    }
    assert {c.reason for c in result.columns if c.source_column} == {"alias"}


def test_abbreviations_expand() -> None:
    result = suggest(["Dist.", "Orig", "Dest", "Ref", "Notes"])
    assert result.mapping == {
        "distance_km": "Dist.",
        "origin_country": "Orig",
        "destination_country": "Dest",
        "reference": "Ref",
    }
    assert result.unmapped_required == ["trip_date", "client"]


def test_typos_and_messy_spacing_match_fuzzily() -> None:
    result = suggest(["Distnace", "Destinaton Country", "  trip   DATE ", "Clinet", "Vehicel type"])
    assert result.mapping == {
        "trip_date": "  trip   DATE ",
        "client": "Clinet",
        "distance_km": "Distnace",
        "destination_country": "Destinaton Country",
        "vehicle_type": "Vehicel type",
    }
    fuzzy = column(result, "distance_km")
    assert fuzzy.reason == "fuzzy"
    assert 0.6 <= fuzzy.score < 1.0
    assert column(result, "trip_date").reason == "exact"


def test_units_in_brackets_meet_the_key() -> None:
    result = suggest(["Load [kg]", "Cost (€)", "Kilometres (km)"])
    assert result.mapping == {
        "load_kg": "Load [kg]",
        "cost_eur": "Cost (€)",
        "distance_km": "Kilometres (km)",
    }


def test_columns_that_match_nothing_stay_unmapped() -> None:
    result = suggest(["Client", "Comments", "Internal flag", "Driver phone"])
    assert result.mapping == {"client": "Client"}
    assert result.unmapped_required == [
        "trip_date",
        "distance_km",
        "origin_country",
        "destination_country",
    ]


# --- values ----------------------------------------------------------------------------------


def test_meaningless_header_of_iso_dates_goes_to_the_only_date_column() -> None:
    rows = [[f"2026-03-{day:02d}", f"ACME {day}", "x"] for day in range(1, 11)]
    result = suggest(["Col1", "Col2", "Col3"], rows)
    assert result.mapping == {"trip_date": "Col1"}
    suggestion = column(result, "trip_date")
    assert suggestion.reason == "values"
    assert suggestion.score >= 0.6


def test_meaningless_header_of_text_is_not_taken_for_a_date() -> None:
    result = suggest(["Col1"], [["ACME"], ["Globex"]])
    assert result.mapping == {}


def test_values_raise_or_lower_a_fuzzy_header() -> None:
    numbers = suggest(["Distances"], [["125,4"], ["1.250,0"], ["80"]])
    text = suggest(["Distances"], [["far"], ["near"], ["n/a"]])
    assert column(numbers, "distance_km").score > column(text, "distance_km").score
    assert numbers.mapping == {"distance_km": "Distances"}


def test_values_break_a_header_tie_between_competing_columns() -> None:
    # "Vehicle fuel" names both vehicle_type and fuel_type equally; the cells are fuels.
    result = suggest(["Vehicle fuel"], [["Diesel"], ["Gasolina"], ["diesel"]])
    assert result.mapping == {"fuel_type": "Vehicle fuel"}
    assert column(result, "vehicle_type").source_column is None
    assert column(result, "vehicle_type").candidates[0].source_column == "Vehicle fuel"


def test_one_source_feeds_one_template_column() -> None:
    result = suggest(["Date", "Country"], [["2026-03-01", "ES"]])
    assert result.mapping == {"trip_date": "Date", "origin_country": "Country"}
    loser = column(result, "destination_country")
    assert loser.source_column is None
    assert loser.candidates[0].source_column == "Country"
    assert list(result.mapping.values()).count("Country") == 1


def test_the_better_fitting_duplicate_header_wins() -> None:
    rows = [["see notes", "125,4"], ["long way", "80"]]
    result = suggest(["Distance", "Distance (km)"], rows)
    assert result.mapping["distance_km"] == "Distance (km)"


# --- memory, candidates ---------------------------------------------------------------------


def test_remembered_mapping_wins() -> None:
    headers = ["Trip Date", "Client", "Km recorridos", "Distance"]
    result = suggest(headers, remembered={"distance_km": "Km recorridos", "client": "Gone column"})
    assert result.mapping["distance_km"] == "Km recorridos"
    remembered = column(result, "distance_km")
    assert (remembered.reason, remembered.score) == ("remembered", 1.0)
    assert "Distance" in [c.source_column for c in remembered.candidates]
    assert column(result, "client").reason == "exact"  # remembered source absent from this file


def test_candidates_are_runner_ups_best_first() -> None:
    result = suggest(["Origin Country", "Destination Country", "Country", "Origen"])
    origin = column(result, "origin_country")
    assert origin.source_column in {"Origin Country", "Origen"}
    assert origin.source_column not in [c.source_column for c in origin.candidates]
    assert 1 <= len(origin.candidates) <= 3
    scores = [c.score for c in origin.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(c, Candidate) and 0.0 <= c.score <= 1.0 for c in origin.candidates)
    assert column(result, "destination_country").candidates[0].source_column == "Country"


def test_no_source_columns() -> None:
    result = suggest_mapping(TEMPLATE, [], pd.DataFrame(), OPTIONS)
    assert result.mapping == {}
    assert result.unmapped_required == TEMPLATE.required_keys


# --- speed ------------------------------------------------------------------------------------


def test_fifty_by_twenty_assigns_each_source_column_at_most_once() -> None:
    extra = [
        TemplateColumn(
            key=f"metric_{i}",
            label=f"Metric {i}",
            type=ColumnType.NUMBER,
            aliases=(f"Métrica {i}",),
        )
        for i in range(10)
    ]
    template = Template(id="wide", name="Wide", columns=(*TEMPLATE.columns, *extra))
    rng = np.random.default_rng(7)
    headers = [f"Column {i}" for i in range(50)]
    kinds = [
        lambda n: [f"2026-03-{1 + i % 28:02d}" for i in range(n)],
        lambda n: [f"{x:.1f}".replace(".", ",") for x in rng.random(n) * 1000],
        lambda n: list(rng.choice(["ES", "France", "Alemania", "Atlantis"], n)),
        lambda n: [f"free text {i} ñ" for i in range(n)],
    ]
    sample = pd.DataFrame({h: kinds[i % 4](200) for i, h in enumerate(headers)}, dtype="str")
    suggestion = suggest_mapping(template, headers, sample, OPTIONS)
    assert len(set(suggestion.mapping.values())) == len(suggestion.mapping)
    assert len(suggestion.columns) == len(template.columns)
