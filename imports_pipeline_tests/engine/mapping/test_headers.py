"""Header scores: exact, vocabulary, related words, context."""

from __future__ import annotations

from imports_pipeline.engine.mapping.headers import (
    FUZZY_CAP,
    IDENTIFIER_SCORE,
    RELATED_WEIGHT,
    UNIT_SCORE,
    VOCABULARY_SCORE,
    header_scores,
)
from imports_pipeline.templates.model import ColumnType, Template, TemplateColumn

TEMPLATE = Template(
    id="people",
    name="People",
    columns=(
        TemplateColumn(key="first_name", label="First name"),
        TemplateColumn(key="last_name", label="Last name"),
        TemplateColumn(key="cost", label="Cost", type=ColumnType.NUMBER),
    ),
)


def test_exact_label_scores_one_and_a_translation_the_vocabulary_score() -> None:
    scores, reasons = header_scores(TEMPLATE, ["First name", "Nachname"])
    assert (scores[0, 0], reasons[0, 0]) == (1.0, "exact")
    assert (scores[1, 1], reasons[1, 1]) == (VOCABULARY_SCORE, "vocabulary")


def test_a_bare_name_beside_a_surname_is_the_first_name() -> None:
    spanish, _ = header_scores(TEMPLATE, ["Nombre", "Apellidos"])
    assert spanish[0, 0] == VOCABULARY_SCORE
    french, _ = header_scores(TEMPLATE, ["Prénom", "Nom"])
    assert french[1, 1] == VOCABULARY_SCORE


def test_a_related_word_matches_below_the_confident_band() -> None:
    scores, reasons = header_scores(TEMPLATE, ["Importe"])
    assert scores[2, 0] == RELATED_WEIGHT * FUZZY_CAP
    assert reasons[2, 0] == "vocabulary"
    assert scores[2, 0] < 0.9


METERS = Template(
    id="meters",
    name="Meters",
    key_columns=("meter_id",),
    columns=(
        TemplateColumn(key="meter_id", label="Meter", unique=True),
        TemplateColumn(key="consumption_kwh", label="Consumption", type=ColumnType.NUMBER),
        TemplateColumn(key="weight", label="Weight (kg)", type=ColumnType.NUMBER),
    ),
)


def test_a_stated_unit_names_the_numeric_column_with_that_unit() -> None:
    scores, _ = header_scores(METERS, ["Units (kWh)", "Gross (KG)", "Copy (2)"])
    assert scores[1, 0] == UNIT_SCORE
    assert scores[2, 1] == UNIT_SCORE
    assert scores[1, 2] < UNIT_SCORE and scores[2, 2] < UNIT_SCORE


def test_a_bare_identifier_header_names_the_unique_column_only() -> None:
    scores, _ = header_scores(METERS, ["Cod.", "Referência", "Notes"])
    assert scores[0, 0] == IDENTIFIER_SCORE
    assert scores[0, 1] == IDENTIFIER_SCORE
    assert scores[0, 2] < IDENTIFIER_SCORE
    assert scores[1, 0] < IDENTIFIER_SCORE


BOOKINGS = Template(
    id="bookings",
    name="Hotel bookings",
    columns=(
        TemplateColumn(key="confirmation", label="Confirmation number", unique=True),
        TemplateColumn(key="guest_name", label="Guest name"),
        TemplateColumn(key="plate", label="License plate"),
    ),
)


def test_the_number_of_what_the_rows_are_names_the_unique_column() -> None:
    scores, _ = header_scores(BOOKINGS, ["Reservation number", "Record ID", "Rate number"])
    assert scores[0, 0] >= IDENTIFIER_SCORE
    assert scores[0, 1] >= IDENTIFIER_SCORE
    assert scores[0, 2] < IDENTIFIER_SCORE


def test_a_bare_party_is_its_name() -> None:
    scores, _ = header_scores(BOOKINGS, ["Huésped", "Gast"])
    assert scores[1, 0] == scores[1, 1] == VOCABULARY_SCORE


def test_a_second_sense_matches_below_the_confident_band() -> None:
    scores, _ = header_scores(BOOKINGS, ["Matrícula"])
    assert 0.6 <= scores[2, 0] <= RELATED_WEIGHT


def test_a_cognate_of_an_unknown_word_matches_below_the_confident_band() -> None:
    tasks = Template(
        id="tasks", name="Tasks", columns=(TemplateColumn(key="priority", label="Priority"),)
    )
    scores, _ = header_scores(tasks, ["Prioridad", "Betrag"])
    assert 0.6 <= scores[0, 0] <= RELATED_WEIGHT
    assert scores[0, 1] < 0.4


def test_a_bare_name_is_the_name_of_the_one_party_of_the_rows() -> None:
    gifts = Template(
        id="gifts",
        name="Donations",
        columns=(
            TemplateColumn(key="donor", label="Donor"),
            TemplateColumn(key="campaign", label="Campaign"),
        ),
    )
    scores, _ = header_scores(gifts, ["Name"])
    assert 0.6 <= scores[0, 0] < 0.9
    two_parties = Template(
        id="orders",
        name="Orders",
        columns=(
            TemplateColumn(key="customer", label="Customer"),
            TemplateColumn(key="supplier", label="Supplier"),
        ),
    )
    scores, _ = header_scores(two_parties, ["Name"])
    assert scores.max() < 0.8


def test_kept_scores_are_the_scores_and_an_edited_template_is_scored_afresh() -> None:
    headers = ["Vorname", "Importe total", "Apellido"]
    first, first_reasons = header_scores(TEMPLATE, headers)
    first[0, 0] = -1.0  # the caller's copy: changing it changes nothing kept
    again, again_reasons = header_scores(TEMPLATE, headers)
    # another id is another key, so these are computed, not kept; the id does not score
    fresh, fresh_reasons = header_scores(TEMPLATE.model_copy(update={"id": "people_b"}), headers)
    assert (again == fresh).all() and (again_reasons == fresh_reasons).all()
    assert (again_reasons == first_reasons).all() and again[0, 0] != -1.0

    edited = TEMPLATE.model_copy(
        update={
            "columns": (
                *TEMPLATE.columns[:2],
                TEMPLATE.columns[2].model_copy(update={"aliases": ("Importe total",)}),
            )
        }
    )
    rescored, reasons = header_scores(edited, headers)
    assert rescored[2, 1] == 1.0 and reasons[2, 1] == "alias"
    assert again[2, 1] < 1.0
