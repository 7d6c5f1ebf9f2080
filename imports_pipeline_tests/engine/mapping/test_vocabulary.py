"""Header words in six languages read as canonical English."""

from __future__ import annotations

import pytest

from imports_pipeline.engine.mapping.header_words import PHRASES
from imports_pipeline.engine.mapping.vocabulary import (
    PHRASE_PATTERNS,
    canonical_label,
    second_senses,
    with_phrases,
)
from imports_pipeline.engine.normalize import normalize_label


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Fecha de vencimiento", "due date"),
        ("Default Address Company", "company"),
        ("Supervisory_Organization", "department"),
        ("Service", "department"),
        ("Product/Internal Reference", "sku"),
        ("Proveedores", "supplier"),
        ("Fornitori", "supplier"),
        ("Data scadenza", "due date"),
        ("Date d'échéance", "due date"),
        ("Belegdatum", "document date"),
        ("Nettobetrag", "net amount"),
        ("Steuerbetrag", "tax amount"),
        ("Montant HT", "net amount"),
        ("Partita IVA", "taxid"),
        ("N° TVA intracommunautaire", "taxid"),
        ("Código postal", "postcode"),
        ("Personalnummer", "employee id"),
        ("Eintrittsdatum", "hire date"),
        ("Zählernummer", "meter id"),
        ("Txn Date", "transaction date"),
        ("Qté", "quantity"),
        ("BELNR", "document id"),
        ("WRBTR", "amount"),
        ("Employee #", "employee id"),
        ("Date (2)", "date"),
        ("Kennzeichen", "plate"),
        ("Kilometerstand", "odometer"),
        ("Km actuales", "odometer"),
        ("Anschaffungskosten", "purchase cost"),
        ("Zimmerkategorie", "room type"),
        ("Numéro d'inventaire", "asset label"),
        ("Nº patrimônio", "asset label"),
        ("Jahresumsatz", "annual revenue"),
        ("Chiffre d'affaires annuel", "revenue annual"),
        ("Fecha salida", "date departure"),
        ("Check-in", "delivery"),
        ("Checked Out To", "assigned"),
        ("Erstellt am", "created"),
        ("Lead-Quelle", "lead source"),
        ("Etiqueta de activo", "asset label"),
        ("Numéro de série", "serial"),
        ("course1", "course"),
        ("role1", "job title"),
        ("Versicherungssumme", "coverage"),
        ("Jahresbeitrag", "annual premium"),
        ("Stock mínimo", "minimum stock"),
        ("MHD", "expiry date"),
        ("GAMNG", "planned quantity"),
        ("Sollmenge", "planned quantity"),
        ("Orden de fabricación", "work order"),
        ("Öffnungsrate", "opened rate"),
        ("Bewerber-ID", "candidate id"),
        ("Gehaltsvorstellung", "salary expected"),
        ("Mitgliedsnummer", "member id"),
        ("Mietbeginn", "rental start"),
        ("Notebook", "laptop"),
        ("Book number", "booking id"),
    ],
)
def test_headers_read_as_canonical_english(header: str, expected: str) -> None:
    assert canonical_label(header) == expected


def test_unknown_words_are_kept() -> None:
    assert canonical_label("Flux capacitor") == "flux capacitor"


def test_template_labels_meet_their_translations() -> None:
    assert canonical_label("Due date") == canonical_label("Fälligkeitsdatum")
    assert canonical_label("Customer") == canonical_label("Kunde") == canonical_label("Cliente")


def test_a_word_of_two_senses_is_also_read_in_its_other_one() -> None:
    assert canonical_label("Matrícula") == "employee"
    assert second_senses("Matrícula") == ("plate", "registration")
    assert canonical_label("FIN") == "end"
    assert second_senses("FIN") == ("vin",)
    assert second_senses("Buchungsnummer") == ("confirmation id",)
    assert second_senses("Fecha de vencimiento") == ()
    assert canonical_label("Note") == "notes"
    assert second_senses("Note") == ("grade",)


def test_unknown_latin_words_meet_by_their_cognate_roots() -> None:
    from imports_pipeline.engine.mapping.vocabulary import cognate_label

    roots = {cognate_label(h) for h in ("Prioridad", "Priorité", "Priorità", "Priorität")}
    assert roots == {cognate_label("Priority")}
    assert cognate_label("Fecha de vencimiento") == canonical_label("Fecha de vencimiento")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("INVDT", "issue date"),
        ("FECVTO", "date due"),
        ("MTTTC", "amount total"),
        ("DTNASC", "birth date"),
        ("CRT_DT", "created date"),
        ("lead_src", "lead source"),
    ],
)
def test_glued_abbreviations_of_program_written_names_are_split(header: str, expected: str) -> None:
    assert canonical_label(header) == expected


@pytest.mark.parametrize("header", ["Impact", "Artist", "Stat", "Auto renew", "Trade mark"])
def test_words_as_people_write_them_are_not_split_into_abbreviations(header: str) -> None:
    assert canonical_label(header) == header.lower()


def test_every_word_list_is_a_tuple_of_spellings() -> None:
    """("flag") is a string: iterating it taught the vocabulary "l" and "g" as words."""
    from imports_pipeline.engine.mapping.domain_words import ABBREVIATIONS, SECOND_SENSES
    from imports_pipeline.engine.mapping.header_words import PHRASES, RELATED, WORDS

    for table in (ABBREVIATIONS, PHRASES, RELATED, SECOND_SENSES, WORDS):
        for concept, spellings in table.items():
            assert isinstance(spellings, tuple), concept
            assert all(isinstance(s, str) and s for s in spellings), concept


def test_no_concept_name_hides_a_spelling_of_another_concept() -> None:
    """A concept named "tag" kept the German "Tag" (a day, in date columns) from reading as
    date: concept names are kept as they are, before spellings are looked up."""
    from imports_pipeline.engine.mapping.domain_words import DOMAIN_WORDS
    from imports_pipeline.engine.mapping.vocabulary import WORD_CONCEPT

    hidden = {k: WORD_CONCEPT[k] for k in DOMAIN_WORDS if WORD_CONCEPT.get(k, k) != k}
    assert hidden == {}
    assert canonical_label("Tag") == "date"
    assert canonical_label("Asset Tag") == canonical_label("Etiqueta de activo")


def test_phrases_are_replaced_as_if_every_pattern_ran():
    """Running a pattern only where its phrase occurs as text gives what running all 525 gives,
    on every phrase spelling alone, inside a longer header and two together."""
    spellings = [normalize_label(s) for forms in PHRASES.values() for s in forms]
    texts = [
        *spellings,
        *(f"total {s} eur" for s in spellings[::7]),
        *(f"{a} {b}" for a, b in zip(spellings[::11], spellings[5::11], strict=False)),
    ]

    def every_pattern(text: str) -> str:
        for _, pattern, canonical in PHRASE_PATTERNS:
            text = pattern.sub(f" {canonical} ", text)
        return text

    assert len(texts) > 500
    assert [with_phrases(t) for t in texts] == [every_pattern(t) for t in texts]
