"""Category values: list what a column holds, suggest options, and map cells to option values.

Everything works on the distinct values of a column, never row by row: a
category column of a million rows rarely holds more than a few hundred
distinct spellings, so normalising and fuzzy-matching those is cheap and the
result is broadcast back with the factorize codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from imports_pipeline.engine.normalize import normalize_value
from imports_pipeline.engine.value_words import CURRENCY_NAMES, ENGLISH_WORDS, english_value
from imports_pipeline.templates.model import Option
from imports_pipeline.templates.option_sources import country_names

MIN_SUGGESTION_SCORE = 0.5
"""Below this a suggestion is noise: the UI should ask instead of pre-selecting."""

SHARPNESS = 1.5
"""WRatio is generous (~0.6 for unrelated words of similar letters);
raising to this power pushes those below the bar."""

VOCABULARY_SCORE = 0.95
"""A value that names an option once both are read in English ("Pagada" → "paid")."""

CORE_SCORE = 0.92
"""A value that names an option once words no option uses are left out ("Chambre double",
"Ordinateur portable"): confident, a little below a whole translation."""

AMBIGUOUS_MARGIN = 0.04
"""Two options this close are both named ("Camión articulado": < 33 t or > 33 t?):
the value is not suggested, its candidates are listed."""

MAX_CANDIDATES = 3

SHORT_NAME = 3
"""Names this short (country codes) are compared whole:
partial matching would find "es" in "Estonia"."""


@dataclass(frozen=True)
class ValueSuggestion:
    raw_value: str
    count: int
    is_valid: bool
    option: str | None
    score: float
    candidates: tuple[str, ...] = ()
    """Options the value might mean, best first, when none is certain."""


def _with_known_names(option: Option) -> Option:
    """Country and currency codes also answer to their names in six languages and symbols."""
    extra = country_names(option.value) + CURRENCY_NAMES.get(option.value, ())
    if not extra:
        return option
    return option.model_copy(update={"aliases": (*option.aliases, *extra)})


@lru_cache(maxsize=64)
def _expanded(options: tuple[Option, ...]) -> tuple[Option, ...]:
    return tuple(_with_known_names(option) for option in options)


def option_lookup(options: Sequence[Option]) -> dict[str, str]:
    """Normalised value/label/alias → option value;
    values beat labels beat aliases on collisions."""
    return _option_lookup(tuple(options))


@lru_cache(maxsize=64)
def _option_lookup(options: tuple[Option, ...]) -> dict[str, str]:
    """Cached: a patch of ten rows must not re-normalise 249 countries and their aliases."""
    options = _expanded(options)
    ranked = [(o.value, o.value) for o in options] + [(o.label, o.value) for o in options]
    ranked += [(alias, o.value) for o in options for alias in o.aliases]
    lookup: dict[str, str] = {}
    for name, value in ranked:
        lookup.setdefault(normalize_value(name), value)
    lookup.pop("", None)
    return lookup


def _as_strings(raw: pd.Series) -> pd.Series:
    """Excel cells may arrive typed (numbers, dates); category matching compares text."""
    return raw if isinstance(raw.dtype, pd.StringDtype) else raw.astype("str")


def _resolve(
    values: Sequence[str | None], options: Sequence[Option], value_mapping: Mapping[str, str] | None
) -> list[str | None]:
    """Option value for each distinct raw value (None where nothing matches exactly).

    Order matters: the user's explicit value mapping (raw spelling, then stripped,
    then normalised) overrides what the option names would say. A plain loop:
    it runs over distinct values only, where pandas' per-call overhead would dominate.
    """
    value_mapping = value_mapping or {}
    by_normalized = {normalize_value(raw): target for raw, target in value_mapping.items()}
    lookup = option_lookup(options)
    resolved: list[str | None] = []
    for value in values:
        if value is None:
            resolved.append(None)
            continue
        stripped = value.strip()
        normalized = normalize_value(stripped)
        for table, key in (
            (value_mapping, value),
            (value_mapping, stripped),
            (by_normalized, normalized),
            (lookup, normalized),
        ):
            if key in table:
                resolved.append(table[key])
                break
        else:
            resolved.append(stripped or None)
    return resolved


def map_categories(
    raw: pd.Series, options: Sequence[Option], value_mapping: Mapping[str, str] | None = None
) -> pd.Series:
    """Raw cells → option values; unmatched cells keep
    their stripped text so validation flags them."""
    codes, uniques = pd.factorize(_as_strings(raw))
    mapped = _resolve([None if pd.isna(v) else str(v) for v in uniques], options, value_mapping)
    dictionary = pa.array(mapped, type=pa.large_string())
    cells = dictionary.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(cells, dtype="str"), index=raw.index, name=raw.name)


@lru_cache(maxsize=64)
def _choices(options: tuple[Option, ...]) -> tuple[list[str], list[str]]:
    """Every name of every option, normalised and read in English."""
    names: list[str] = []
    values: list[str] = []
    for option in _expanded(options):
        for name in dict.fromkeys(
            english_value(normalize_value(n)) for n in (option.value, option.label, *option.aliases)
        ):
            if not name:
                continue
            names.append(name)
            values.append(option.value)
    return names, values


def _fuzzy_scores(queries: list[str], names: list[str]) -> np.ndarray:
    """WRatio, except that short names (codes) only count as whole-string matches."""
    from rapidfuzz import fuzz, process  # here: most callers of this module never match text

    weighted = process.cdist(queries, names, scorer=fuzz.WRatio, processor=None, dtype=np.float32)
    plain = process.cdist(queries, names, scorer=fuzz.ratio, processor=None, dtype=np.float32)
    short = (
        np.array([len(name) <= SHORT_NAME for name in names])[None, :]
        | np.array([len(query) <= SHORT_NAME for query in queries])[:, None]
    )
    return (np.where(short, plain, weighted) / 100.0) ** SHARPNESS


def _words(text: str) -> str:
    return " ".join(sorted(text.split()))


@lru_cache(maxsize=64)
def _named_by(options: tuple[Option, ...]) -> tuple[dict[str, int], frozenset[str]]:
    """Each option name's words in order (→ its first index in ``_choices``), and every word
    that some option name uses."""
    names, _ = _choices(options)
    by_words: dict[str, int] = {}
    for i, name in enumerate(names):
        by_words.setdefault(_words(name), i)
    return by_words, frozenset(word for name in names for word in name.split())


def _core(query: str, used: frozenset[str]) -> str:
    """The query without the known words no option uses: "Chambre double" is a double room,
    and "room" tells no option from another."""
    kept = [word for word in query.split() if word in used or word not in ENGLISH_WORDS]
    return _words(" ".join(kept)) if kept else ""


def _ranked(
    raw_values: list[str], options: Sequence[Option], similar: bool = True
) -> list[list[tuple[str, float]]]:
    """Options each raw value may mean, best first (distinct options, score >= the bar);
    ``similar`` adds the sentence encoder's (bounded) reading, where one is installed."""
    names, option_values = _choices(tuple(options))
    queries = [english_value(normalize_value(value)) for value in raw_values]
    if not names or not queries:
        return [[] for _ in raw_values]
    scores = _fuzzy_scores(queries, names)
    if similar:
        head = min(len(raw_values), SIMILAR_VALUES)
        scores[:head] = np.maximum(
            scores[:head], _similar(raw_values[:head], tuple(options), option_values)
        )
    by_words, used = _named_by(tuple(options))
    ranked: list[list[tuple[str, float]]] = []
    for row, query in enumerate(queries):
        same = by_words.get(_words(query))
        if same is not None:
            scores[row, same] = VOCABULARY_SCORE + 1e-3
        else:
            core = by_words.get(_core(query, used))
            if core is not None:
                scores[row, core] = max(scores[row, core], CORE_SCORE)
        best: dict[str, float] = {}
        for column in np.argsort(-scores[row], kind="stable")[: 4 * MAX_CANDIDATES]:
            score = float(scores[row, column])
            if score >= MIN_SUGGESTION_SCORE:
                best.setdefault(option_values[column], min(score, VOCABULARY_SCORE))
        ranked.append(sorted(best.items(), key=lambda pair: -pair[1])[:MAX_CANDIDATES])
    return ranked


SIMILAR_VALUES = 500
"""Values per call that the sentence encoder reads (callers pass the most frequent first): it
costs about 0.35 ms a value, so 10,000 distinct values took unique-values from 0.24 s to 3.4 s;
the rest are matched by their spelling alone."""


def _similar(
    raw_values: list[str], options: tuple[Option, ...], option_values: list[str]
) -> np.ndarray:
    """The sentence encoder's score of each value for each option name (0 without it)."""
    from imports_pipeline.engine.mapping.embeddings import option_scores

    # The options' own names only: the long lists of known names (every spelling of every
    # country) are there for exact matching, and read as near to any proper noun.
    texts = [list(dict.fromkeys(t for t in (o.label, o.value, *o.aliases) if t)) for o in options]
    per_option = option_scores([v.strip() or "?" for v in raw_values], texts)
    index = {o.value: i for i, o in enumerate(options)}
    return per_option[:, [index[v] for v in option_values]]


def _pick(ranked: list[tuple[str, float]]) -> tuple[str | None, float]:
    """The best option, unless a second one is about as good (then none: ask)."""
    if not ranked:
        return None, 0.0
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < AMBIGUOUS_MARGIN:
        return None, 0.0
    return ranked[0][0], round(ranked[0][1], 4)


def _suggest_many(
    raw_values: list[str], options: Sequence[Option], similar: bool = True
) -> list[tuple[str | None, float]]:
    return [_pick(ranked) for ranked in _ranked(raw_values, options, similar)]


def option_candidates(raw_values: list[str], options: Sequence[Option]) -> list[tuple[str, ...]]:
    """Options each raw value might mean, best first: what a row error or a picker names."""
    return [
        tuple(option for option, _ in ranked)
        for ranked in _ranked(raw_values, options, similar=False)
    ]


def suggest_options(
    raw_values: list[str], options: Sequence[Option], similar: bool = True
) -> list[tuple[str | None, float]]:
    """Best option and score for each raw value (None, 0.0 below ``MIN_SUGGESTION_SCORE``).
    ``similar=False`` leaves the sentence encoder out (its scores never reach a caller's bar
    above ``embeddings.VALUE_CAP``, and it would encode every distinct cell)."""
    return _suggest_many(raw_values, options, similar)


def suggest_option(raw_value: str, options: Sequence[Option]) -> tuple[str | None, float]:
    """Best option for one raw value: 1.0 when it names an option exactly, else a fuzzy score."""
    exact = option_lookup(options).get(normalize_value(raw_value))
    if exact is not None:
        return exact, 1.0
    return _suggest_many([raw_value], options)[0]


def unique_values(
    raw: pd.Series,
    options: Sequence[Option],
    value_mapping: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> list[ValueSuggestion]:
    """Distinct raw values, most frequent first, each with its option or a suggestion."""
    stripped = _as_strings(raw).str.strip()
    counts = stripped[stripped.notna() & (stripped != "")].value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    if limit is not None:
        counts = counts.iloc[:limit]
    values = [str(value) for value in counts.index]
    resolved = _resolve(values, options, value_mapping)
    option_values = {option.value for option in options}
    valid = [target in option_values for target in resolved]
    pending = [value for value, ok in zip(values, valid, strict=True) if not ok]
    ranked = dict(zip(pending, _ranked(pending, options), strict=True))
    return [
        ValueSuggestion(value, int(count), True, target, 1.0)
        if ok
        else ValueSuggestion(
            value,
            int(count),
            False,
            *_pick(ranked[value]),
            tuple(option for option, _ in ranked[value]),
        )
        for value, count, ok, target in zip(values, counts, valid, resolved, strict=True)
    ]
