"""Header scores: how well each source header names each template column.

Two readings of every name are compared with rapidfuzz: the normalised text (accents, case,
abbreviations, bracketed units) and its canonical English form from ``vocabulary`` (so
"Fecha de vencimiento" meets "Due date"). Exact equality of the normalised text scores 1.0;
equality of the canonical forms scores ``VOCABULARY_SCORE``; anything else is a sharpened
fuzzy ratio below ``FUZZY_CAP``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from imports_pipeline.engine.mapping.embeddings import similarity_scores
from imports_pipeline.engine.mapping.header_words import RELATED
from imports_pipeline.engine.mapping.vocabulary import (
    canonical_label,
    cognate_label,
    second_senses,
)
from imports_pipeline.engine.normalize import normalize_label, normalize_unit, split_unit
from imports_pipeline.templates.model import ColumnType, Template, TemplateColumn

SUBSET_WEIGHT = 0.8
"""A header whose words are all in the name ("Date" in "trip date") is likely but not certain."""

SHARPNESS = 1.5
"""Raw ratios give ~0.67 to names sharing one word of two;
raising to this power pushes those below the bar."""

FUZZY_CAP = 0.95
"""1.0 is kept for exact and remembered matches, VOCABULARY_SCORE for canonical equality."""

VOCABULARY_SCORE = 0.97
"""Same canonical words in any order: as good as exact unless the values disagree."""

SUBJECT_WORDS = frozenset({"invoice", "order", "expense"})
"""What a template's rows are; exports often call their number just "document number"."""

RELATED_WEIGHT = 0.8
"""A header that matches only through a related word (RELATED) stays below the confident band."""

COGNATE_WEIGHT = RELATED_WEIGHT
"""Words the vocabulary does not know, matched by their cognate roots ("Priorità" for
"Priority"): likely, never confident on the roots alone."""

QUALIFIERS = frozenset({"purchase", "sales"})
"""In a purchase-order template an "order number" is the purchase order number."""

DESCRIPTION_WEIGHT = 0.85
"""A header that matches only the column's description is weaker evidence than its name."""

UNIT_SCORE = 0.8
"""A numeric column whose unit the header states ("Units (kWh)" for ``consumption_kwh``):
likely, never confident on the unit alone."""

IDENTIFIER_SCORE = 0.8
"""A bare "ID", "Cod." or "Referência", or the number of what the rows are ("Buchungsnummer" in
hotel bookings, "Lead-ID" in leads, "Record ID"), names the row's identifier: the template's one
unique (or single key) column. Likely, not confident: a file may carry several such codes."""

IDENTIFIER_WORDS = frozenset({"id", "reference"})
PARTY_NAME_SCORE = 0.8
"""A bare "Name" is the name of the one party the rows are about (the donor, the member):
likely, not confident, and only when the template has exactly one such text column."""
ROW_WORDS = frozenset({"record", "document"})
"""What any row is: "ID de registro" (HubSpot's record ID) is the row's identifier."""
PARTIES = frozenset(
    {
        "customer",
        "supplier",
        "guest",
        "attendee",
        "employee",
        "company",
        "merchant",
        "recipient",
        "donor",
        "policyholder",
        "student",
        "requester",
    }
)
"""Who a row is about or for: "Gast" or "Huésped" alone is the guest's name."""
NUMERIC = frozenset({ColumnType.NUMBER, ColumnType.INTEGER})


def _header_variants(text: str) -> list[str]:
    """The header without its unit, and with it spelled out
    ("distance km" meets ``distance_km``)."""
    return list(_cached_variants(text))


@lru_cache(maxsize=65536)
def _cached_variants(text: str) -> tuple[str, ...]:
    """Cached: the same headers and template names come back on every suggestion."""
    base = normalize_label(text)
    _, unit = split_unit(text)
    variants = [base, f"{base} {normalize_unit(unit)}".strip() if unit else ""]
    return tuple(dict.fromkeys(v for v in variants if v)) or ("",)


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def _names(column: TemplateColumn) -> list[tuple[str, str]]:
    """(normalised name, reason) for the key, the label and every alias."""
    names = [
        (name, "exact") for text in (column.key, column.label) for name in _header_variants(text)
    ]
    names += [(name, "alias") for text in column.aliases for name in _header_variants(text)]
    return [(name, reason) for name, reason in dict.fromkeys(names) if name]


def _column_texts(column: TemplateColumn) -> list[str]:
    """What a template column is called: its label, its key in words, its aliases."""
    return [column.label, column.key.replace("_", " "), *column.aliases]


def _canonical_names(column: TemplateColumn, subject: set[str]) -> list[str]:
    """Canonical names; the template's subject also reads as "document" (BELNR, Beleg-ID)."""
    texts = _column_texts(column)
    names = [c for c in (canonical_label(t) for t in texts) if c]
    names += [sense for t in texts for sense in second_senses(t)]
    names += [
        name.removesuffix(" name")
        for name in names
        if name.endswith(" name") and name.split()[0] in PARTIES
    ]
    names += [
        " ".join("document" if word in subject else word for word in name.split())
        for name in names
        if subject & set(name.split())
    ]
    names += [
        " ".join(word for word in name.split() if word not in QUALIFIERS)
        for name in names
        if QUALIFIERS & set(name.split()) and len(name.split()) > 2
    ]
    return list(dict.fromkeys(names))


def _cognate_names(column: TemplateColumn) -> list[str]:
    texts = _column_texts(column)
    return list(dict.fromkeys(c for c in (cognate_label(t) for t in texts) if c))


def _related(header: str) -> list[str]:
    """The header with one word swapped for a related one ("amount" → "cost")."""
    words = header.split()
    return [
        " ".join([*words[:i], other, *words[i + 1 :]])
        for i, word in enumerate(words)
        for other in RELATED.get(word, ())
    ]


def _canonical_headers(source_columns: Sequence[str]) -> list[str]:
    """Canonical headers; a bare "name" next to a last name is the first name, and vice versa
    ("Nombre" beside "Apellidos", "Nom" beside "Prénom")."""
    headers = [canonical_label(source) for source in source_columns]
    words = {word for header in headers for word in header.split()}
    for present, missing in (("lastname", "firstname"), ("firstname", "lastname")):
        if present in words and missing not in words:
            headers = [missing if header == "name" else header for header in headers]
    return headers


def _column_unit(column: TemplateColumn) -> str | None:
    """The unit a template column states, in its label ("Weight (kg)") or key (``weight_kg``)."""
    _, unit = split_unit(column.label)
    if unit:
        return normalize_unit(unit).replace(" ", "")
    *_, last = column.key.split("_")
    return last if "_" in column.key and last in KNOWN_UNITS else None


KNOWN_UNITS = frozenset({"kwh", "mwh", "kg", "g", "t", "km", "m", "m2", "m3", "min", "h", "l"})
"""Unit suffixes that keys carry (``consumption_kwh``, ``floor_area_m2``)."""


@lru_cache(maxsize=65536)
def _header_unit(header: str) -> str | None:
    """A bracketed unit that is not a copy counter: "Units (kWh)" → "kwh", "Date (2)" → None."""
    _, unit = split_unit(header)
    spelled = normalize_unit(unit) if unit else ""
    return spelled.replace(" ", "") if spelled and not spelled.isdigit() else None


def _structural(
    template: Template, source_columns: Sequence[str], headers: list[str]
) -> np.ndarray:
    """Scores from what a header says besides its words: its unit, or that it is a bare id."""
    scores = np.zeros((len(template.columns), len(source_columns)), dtype=np.float32)
    units = [
        (t, unit)
        for t, c in enumerate(template.columns)
        if c.type in NUMERIC and (unit := _column_unit(c)) is not None
    ]
    unique = [t for t, c in enumerate(template.columns) if c.unique]
    keys = [t for t, c in enumerate(template.columns) if c.key in template.key_columns]
    identifier = unique if len(unique) == 1 else keys if len(keys) == 1 else []
    subject = set(canonical_label(template.name).split()) | ROW_WORDS
    named = [
        t
        for t, c in enumerate(template.columns)
        if c.type is ColumnType.STRING
        and PARTIES & set(canonical_label(f"{c.label} {c.key.replace('_', ' ')}").split())
    ]
    party = named[0] if len(named) == 1 else None
    for s, source in enumerate(source_columns):
        unit = _header_unit(source) if units else None
        for t, wanted in units:
            if unit == wanted:
                scores[t, s] = UNIT_SCORE
        words = set(headers[s].split())
        if (
            identifier
            and words
            and IDENTIFIER_WORDS & words
            and words <= IDENTIFIER_WORDS | subject
        ):
            scores[identifier[0], s] = max(scores[identifier[0], s], IDENTIFIER_SCORE)
        if party is not None and words == {"name"}:
            scores[party, s] = max(scores[party, s], PARTY_NAME_SCORE)
    return scores


def _group_max(matrix: np.ndarray, owners: list[int], axis: int) -> np.ndarray:
    """Best score per owner along an axis (names → column, variants → source)."""
    starts = np.flatnonzero(np.diff(np.asarray(owners), prepend=-1))
    return np.maximum.reduceat(matrix, starts, axis=axis)


def _fuzzy(
    names: list[str], owners: list[int], variants: list[str], variant_owner: list[int]
) -> np.ndarray:
    from rapidfuzz import fuzz, process  # here: importing the engine should not load it

    ratio = process.cdist(names, variants, scorer=fuzz.ratio, processor=None, dtype=np.float32)
    ordered = process.cdist(
        names, variants, scorer=fuzz.token_sort_ratio, processor=None, dtype=np.float32
    )
    subset = process.cdist(
        names, variants, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float32
    )
    raw = np.maximum(np.maximum(ratio, ordered), SUBSET_WEIGHT * subset) / 100.0
    scores = _group_max(_group_max(raw, owners, axis=0), variant_owner, axis=1)
    return np.minimum(scores**SHARPNESS, FUZZY_CAP)


def _owned(per_owner: list[list[str]]) -> tuple[list[str], list[int]]:
    flat, owner = [], []
    for index, names in enumerate(per_owner):
        for name in names or [""]:
            flat.append(name)
            owner.append(index)
    return flat, owner


def _embedding_names(column: TemplateColumn) -> list[str]:
    texts = _column_texts(column)
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


COUNTER = re.compile(r"[(\[#]?\b[0-9]+\b[)\]]?")
"""Numbers standing alone in a header ("Date (2)", "Item 3", "Line #12"): copy counters and
positions, never what a column means. The encoder reads them as content (its authors measure
cosines of 0.6-0.8 between sentences that differ only in a number), so it sees headers
without them; the word scores still see them."""


def _embedding_headers(source: str, canonical: str) -> list[str]:
    texts = [source.replace("_", " "), canonical]
    texts = [" ".join(COUNTER.sub(" ", t).split()) or t.strip() for t in texts]
    return list(dict.fromkeys(t for t in texts if t))


SCORED_HEADERS_KEPT = 128
"""Header sets whose scores a process keeps: a file's headers come back on each suggest of its
session, and a monthly export brings the same headers in every new session."""

SCORED_CELLS_KEPT = 40_000
"""Larger template × header matrices are scored again each time rather than kept."""

_scored: OrderedDict[tuple[str, tuple[str, ...]], tuple[np.ndarray, np.ndarray]] = OrderedDict()
_scored_lock = threading.Lock()


def header_scores(
    template: Template, source_columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Name score (template × source) and its reason: exact, alias, vocabulary or fuzzy.

    They depend on the template and the header texts alone, so they are kept per process for
    the last ``SCORED_HEADERS_KEPT`` header sets: scoring took a third of a suggest's CPU on
    the 240-row example. The template's whole definition is in the key, so an edited template
    is scored afresh."""
    key = (template.model_dump_json(), tuple(source_columns))
    with _scored_lock:
        if key in _scored:
            _scored.move_to_end(key)
            scores, reasons = _scored[key]
            return scores.copy(), reasons.copy()
    scores, reasons = _score_headers(template, source_columns)
    if scores.size > SCORED_CELLS_KEPT:
        return scores, reasons
    with _scored_lock:
        _scored[key] = (scores, reasons)
        while len(_scored) > SCORED_HEADERS_KEPT:
            _scored.popitem(last=False)
    return scores.copy(), reasons.copy()


def _score_headers(
    template: Template, source_columns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    plain = [_names(column) for column in template.columns]
    names, owners = _owned([[name for name, _ in column] for column in plain])
    variants, variant_owner = _owned([_header_variants(source) for source in source_columns])
    scores = _fuzzy(names, owners, variants, variant_owner)
    subject = set(canonical_label(template.name).split()) & SUBJECT_WORDS
    per_column = [_canonical_names(column, subject) for column in template.columns]
    canonical, canonical_owner = _owned(per_column)
    headers = _canonical_headers(source_columns)
    by_vocabulary = _fuzzy(canonical, canonical_owner, headers, list(range(len(headers))))
    described = [canonical_label(column.description or "") for column in template.columns]
    by_description = DESCRIPTION_WEIGHT * _fuzzy(
        described, list(range(len(described))), headers, list(range(len(headers)))
    )
    related, related_owner = _owned(
        [
            [*_related(header), *second_senses(source)]
            for header, source in zip(headers, source_columns, strict=True)
        ]
    )
    by_related = RELATED_WEIGHT * _fuzzy(canonical, canonical_owner, related, related_owner)
    by_vocabulary = np.maximum(by_vocabulary, by_related)
    by_cognate = COGNATE_WEIGHT * _fuzzy(
        *_owned([_cognate_names(column) for column in template.columns]),
        [cognate_label(source) for source in source_columns],
        list(range(len(source_columns))),
    )
    by_vocabulary = np.maximum(by_vocabulary, by_cognate)
    reason = np.where(by_vocabulary > scores, "vocabulary", "fuzzy").astype(object)
    scores = np.maximum(scores, by_vocabulary)
    reason = np.where(by_description > scores, "description", reason)
    scores = np.maximum(scores, by_description)
    by_structure = _structural(template, source_columns, headers)
    reason = np.where(by_structure > scores, "vocabulary", reason)
    scores = np.maximum(scores, by_structure)
    by_similar = similarity_scores(
        [_embedding_names(column) for column in template.columns],
        [
            _embedding_headers(source, header)
            for source, header in zip(source_columns, headers, strict=True)
        ],
    )
    reason = np.where(by_similar > scores, "similar", reason)
    scores = np.maximum(scores, by_similar)
    sorted_canonical = [{_sorted_words(name) for name in names} for names in per_column]
    exact_index: dict[str, dict[int, str]] = {}
    for t, column in enumerate(plain):
        for name, why in column:
            exact_index.setdefault(name.replace(" ", ""), {}).setdefault(t, why)
    for s, source in enumerate(source_columns):
        words = _sorted_words(headers[s])
        for t, known in enumerate(sorted_canonical):
            if words and words in known and scores[t, s] < VOCABULARY_SCORE:
                scores[t, s], reason[t, s] = VOCABULARY_SCORE, "vocabulary"
        for variant in _header_variants(source):
            for t, why in exact_index.get(variant.replace(" ", ""), {}).items():
                if reason[t, s] != "exact":
                    scores[t, s], reason[t, s] = 1.0, why
    return scores, reason
