"""The map phase, cell side: distinct category values, option suggestions, mapping cells to
options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imports_pipeline.engine.value_words import english_value
from imports_pipeline.engine.values import (
    CORE_SCORE,
    VOCABULARY_SCORE,
    ValueSuggestion,
    map_categories,
    option_candidates,
    suggest_option,
    unique_values,
)
from imports_pipeline.templates.model import Option

COUNTRIES = [
    Option(value="ES", label="Spain", aliases=("España", "ESP")),
    Option(value="FR", label="France", aliases=("Francia", "FRA")),
    Option(value="DE", label="Germany", aliases=("Alemania", "Deutschland")),
    Option(value="EE", label="Estonia", aliases=()),
    Option(value="PT", label="Portugal", aliases=("PRT",)),
]
FUELS = [
    Option(value="diesel", label="Diesel", aliases=("Gasóleo", "Gasoil")),
    Option(value="petrol", label="Petrol", aliases=("Gasolina", "Unleaded")),
]
VEHICLES = [
    Option(value="van_lt_3_5t", label="Van < 3.5 t", aliases=("Van <3.5t", "Furgoneta")),
    Option(
        value="rigid_truck_7_5_12t",
        label="Rigid truck 7.5-12 t",
        aliases=("Camión rígido 7.5-12 t",),
    ),
    Option(
        value="rigid_truck_12_20t", label="Rigid truck 12-20 t", aliases=("Camión rígido 12-20 t",)
    ),
    Option(value="artic_truck_gt_33t", label="Articulated truck > 33 t", aliases=("Tráiler",)),
]


def series(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


# --- suggest_option -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Spain", "ES"),
        ("españa", "ES"),
        ("ES", "ES"),
        ("Espana", "ES"),
        ("france", "FR"),
        (" fra ", "FR"),
    ],
)
def test_exact_spellings_of_an_option_score_one(raw: str, expected: str) -> None:
    assert suggest_option(raw, COUNTRIES) == (expected, 1.0)


def test_fuel_with_trailing_space() -> None:
    assert suggest_option("Diesel ", FUELS) == ("diesel", 1.0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Spian", "ES"), ("Frnace", "FR"), ("Germani", "DE"), ("Gasolina 95", "petrol")],
)
def test_typos_get_a_fuzzy_suggestion(raw: str, expected: str) -> None:
    option, score = suggest_option(raw, COUNTRIES + FUELS)
    assert option == expected
    assert 0.5 <= score < 1.0


def test_truck_description_is_ambiguous_between_rigid_trucks() -> None:
    # Two rigid trucks fit "Truck (rigid)" as well: nothing is pre-selected, both are named.
    assert suggest_option("Truck (rigid)", VEHICLES) == (None, 0.0)
    assert set(option_candidates(["Truck (rigid)"], VEHICLES)[0][:2]) == {
        "rigid_truck_7_5_12t",
        "rigid_truck_12_20t",
    }


def test_short_codes_only_match_whole() -> None:
    # "es" is inside "Estonian", but a code must not win on a partial match.
    assert suggest_option("Estonian", COUNTRIES)[0] == "EE"


def test_nothing_close_gives_none() -> None:
    assert suggest_option("Atlantis", COUNTRIES) == (None, 0.0)
    assert suggest_option("zzz", []) == (None, 0.0)


# --- unique_values -------------------------------------------------------------------------------


def test_unique_values_counts_most_frequent_first_ties_by_value() -> None:
    raw = series(
        ["Spain", "France", " Spain ", None, "Frnace", "Atlantis", "", "France", "Spain", "ES"]
    )
    assert unique_values(raw, COUNTRIES) == [
        ValueSuggestion("Spain", 3, True, "ES", 1.0),
        ValueSuggestion("France", 2, True, "FR", 1.0),
        ValueSuggestion("Atlantis", 1, False, None, 0.0),
        ValueSuggestion("ES", 1, True, "ES", 1.0),
        ValueSuggestion(
            "Frnace",
            1,
            False,
            "FR",
            unique_values(series(["Frnace"]), COUNTRIES)[0].score,
            ("FR",),
        ),
    ]
    assert 0.5 <= unique_values(series(["Frnace"]), COUNTRIES)[0].score < 1.0


def test_unique_values_limit_keeps_the_most_frequent() -> None:
    raw = series(["a", "b", "b", "c", "c", "c"])
    assert [v.raw_value for v in unique_values(raw, FUELS, limit=2)] == ["c", "b"]


def test_value_mapping_makes_a_value_valid() -> None:
    raw = series(["Gas-oil A", "Gas-oil A", "gas oil a", "Petrol", "Kerosene"])
    result = unique_values(raw, FUELS, {"Gas-oil A": "diesel", "Kerosene": "not_an_option"})
    assert [(v.raw_value, v.is_valid, v.option) for v in result] == [
        ("Gas-oil A", True, "diesel"),
        ("Kerosene", False, None),
        ("Petrol", True, "petrol"),
        ("gas oil a", True, "diesel"),  # the key matches after normalisation
    ]


def test_unique_values_reads_typed_cells() -> None:
    assert unique_values(pd.Series([1, 1, 2]), [Option(value="1", label="One")])[
        0
    ] == ValueSuggestion("1", 2, True, "1", 1.0)


# --- map_categories ------------------------------------------------------------------------------


def test_map_categories_exact_outputs() -> None:
    cells = ["Spain", " españa ", "FR", None, "Atlantis ", "Alemania", "   ", "Portgual"]
    raw = pd.Series(cells, index=[10, 11, 12, 13, 14, 15, 16, 17], dtype="str")
    mapped = map_categories(raw, COUNTRIES, {"Portgual": "PT"})
    assert mapped.index.tolist() == [10, 11, 12, 13, 14, 15, 16, 17]
    assert mapped.tolist()[:3] == ["ES", "ES", "FR"]
    assert pd.isna(mapped[13])
    assert (
        mapped[14] == "Atlantis"
    )  # unmatched: stripped raw kept, so validation reports invalid_option
    assert mapped[15] == "DE"
    assert pd.isna(mapped[16])
    assert mapped[17] == "PT"
    assert mapped.dtype == "str"


def test_value_mapping_beats_option_names() -> None:
    raw = series(["Van", "van <3.5t", "Tráiler"])
    mapped = map_categories(raw, VEHICLES, {"Van": "van_lt_3_5t", "TRAILER": "rigid_truck_12_20t"})
    assert mapped.tolist() == ["van_lt_3_5t", "van_lt_3_5t", "rigid_truck_12_20t"]


def test_map_categories_on_a_million_rows() -> None:
    rng = np.random.default_rng(3)
    spellings = [
        "Spain",
        "españa",
        "ES",
        "France",
        " fr ",
        "Alemania",
        "Portugal",
        "Atlantis",
        None,
    ]
    pool = np.array(spellings + [f"X{i}" for i in range(200)], dtype=object)
    raw = pd.Series(pool[rng.integers(0, len(pool), 1_000_000)], dtype="str")
    mapped = map_categories(raw, COUNTRIES, {"Atlantis": "PT"})
    assert mapped[raw == "españa"].eq("ES").all()
    assert mapped.isna().sum() == raw.isna().sum()


# --- six languages -------------------------------------------------------------------------------

STATUSES = [Option(value="paid", label="Paid"), Option(value="overdue", label="Overdue")]


@pytest.mark.parametrize("raw", ["Pagada", "Payée", "Bezahlt", "Pagata", "Paga"])
def test_translated_values_are_suggested_with_the_vocabulary_score(raw: str) -> None:
    assert suggest_option(raw, STATUSES) == ("paid", VOCABULARY_SCORE)


@pytest.mark.parametrize(
    ("raw", "code"), [("Espagne", "ES"), ("Spanien", "ES"), ("Germania", "DE"), ("UK", "GB")]
)
def test_inline_country_codes_answer_to_their_names(raw: str, code: str) -> None:
    codes = [Option(value=c, label=c) for c in ("ES", "DE", "GB")]
    assert suggest_option(raw, codes) == (code, 1.0)


def test_currency_codes_answer_to_symbols() -> None:
    codes = [Option(value=c, label=c) for c in ("EUR", "USD", "GBP")]
    assert [suggest_option(raw, codes)[0] for raw in ("€", "$", "£", "Pfund")] == [
        "EUR",
        "USD",
        "GBP",
        "GBP",
    ]


def test_an_ambiguous_value_lists_its_candidates_in_unique_values() -> None:
    trucks = [
        Option(value="artic_lt", label="Articulated truck < 33 t"),
        Option(value="artic_gt", label="Articulated truck > 33 t"),
    ]
    (found,) = unique_values(series(["Camión articulado"]), trucks)
    assert (found.option, found.score) == (None, 0.0)
    assert set(found.candidates) == {"artic_lt", "artic_gt"}


ROOMS = [
    Option(value="single", label="Single"),
    Option(value="double", label="Double"),
    Option(value="suite", label="Suite"),
]


@pytest.mark.parametrize(
    ("normalized", "english"),
    [
        ("doppelzimmer", "double room"),
        ("einzelzimmer", "single room"),
        ("en reparacion", "repair"),
        ("sitio web web", "sitio web"),
        ("de", "de"),
    ],
)
def test_values_read_in_english_compounds_split_filler_dropped(
    normalized: str, english: str
) -> None:
    assert english_value(normalized) == english


@pytest.mark.parametrize("raw", ["Doppelzimmer", "Chambre double", "Camera doppia"])
def test_a_word_no_option_uses_does_not_hide_the_option(raw: str) -> None:
    assert suggest_option(raw, ROOMS) == ("double", CORE_SCORE)


def test_words_in_another_order_name_the_option() -> None:
    sources = [Option(value="cold_call", label="Cold call"), Option(value="web", label="Website")]
    assert suggest_option("Llamada en frío", sources) == ("cold_call", VOCABULARY_SCORE)


def test_an_unknown_word_is_not_left_out() -> None:
    option, score = suggest_option("Double deluxe", ROOMS)
    assert option == "double"
    assert score < CORE_SCORE


def test_no_value_word_swallows_a_spelled_out_symbol() -> None:
    """ "<" is read as "lt" and "%" as "percent": a word list that took "lt" for litre made
    "Van < 3.5 t" a van of 3.5 litres and an ambiguous truck confident."""
    from imports_pipeline.engine.normalize import VALUE_SYMBOLS
    from imports_pipeline.engine.value_words import WORD_ENGLISH

    spelled = {word.strip() for _, word in VALUE_SYMBOLS}
    assert not spelled & set(WORD_ENGLISH)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Mensual", "monthly"), ("Storniert", "cancelled"), ("Congélateur", "freezer")],
)
def test_option_words_of_more_domains_read_in_english(raw: str, expected: str) -> None:
    options = [
        Option(value="monthly", label="Monthly"),
        Option(value="cancelled", label="Cancelled"),
        Option(value="freezer", label="Freezer"),
    ]
    assert suggest_option(raw, options) == (expected, VOCABULARY_SCORE)


def test_no_english_value_word_is_also_a_spelling_of_another() -> None:
    """ "online" was both an English word and a spelling of "web": an option labelled Online
    then read as "web" and "En ligne" (read as "online") could not find it."""
    from imports_pipeline.engine.value_words import VALUE_WORDS, WORD_ENGLISH

    clashes = {
        word: WORD_ENGLISH[word]
        for word in VALUE_WORDS
        if word in WORD_ENGLISH and WORD_ENGLISH[word] != word
    }
    assert clashes == {}
