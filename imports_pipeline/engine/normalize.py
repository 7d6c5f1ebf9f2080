"""Text normalisation shared by column matching and category value matching.

Customer headers and cells differ from the template in case, accents,
punctuation, abbreviations and units; comparing normalised forms lets
"Distancia (km)", "DIST." and "distance_km" meet on common ground before any
fuzzy scoring, so exact matches stay exact.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ABBREVIATIONS: dict[str, str] = {
    "qty": "quantity",
    "dist": "distance",
    "ref": "reference",
    "orig": "origin",
    "dest": "destination",
    "no": "number",
    "num": "number",
    "nr": "number",
    "tel": "phone",
    "desc": "description",
    "amt": "amount",
    "wt": "weight",
    "veh": "vehicle",
    "cant": "cantidad",
    "tlf": "telefono",
    "tfno": "telefono",
    "dir": "direccion",
}
"""Header tokens expanded before matching (English and Spanish)."""

STOPWORDS = frozenset({"of", "the", "in", "de", "del", "la", "el", "los", "las", "en"})
"""Filler words dropped from labels so "Country of origin" ≈ "origin country"."""

UNIT_WORDS: dict[str, str] = {"€": "eur", "$": "usd", "£": "gbp", "%": "percent"}
"""Unit symbols spelled out, since punctuation is otherwise dropped."""

VALUE_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("<=", " le "),
    (">=", " ge "),
    ("≤", " le "),
    ("≥", " ge "),
    ("<", " lt "),
    (">", " gt "),
    ("+", " plus "),
    ("%", " percent "),
    ("€", " eur "),
    ("$", " usd "),
    ("£", " gbp "),
    ("¥", " jpy "),
)
"""Symbols that carry meaning in category values ("Van <3.5t" vs "Truck >12t", "€" is EUR)."""

_BRACKETED = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_NUMBER_SIGN = re.compile(r"\bn\s*[º°]", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def _fold(text: str) -> str:
    """Casefold and strip accents: "País" and "PAIS" are the same word to a customer."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _COMBINING.sub("", decomposed)


def split_unit(text: str) -> tuple[str, str | None]:
    """Separate a bracketed unit from a header: "Distance (km)" → ("Distance", "km").

    The unit is kept apart because it both clutters the name and, joined back
    ("distance km"), can match a key like ``distance_km`` exactly.
    """
    units = [unit.strip() for unit in _BRACKETED.findall(text) if unit.strip()]
    base = " ".join(_BRACKETED.sub(" ", text).split())
    if not base:
        return " ".join(text.split()), None
    return base, units[0] if units else None


def _label_tokens(text: str) -> list[str]:
    text = _NUMBER_SIGN.sub(" no ", text)
    text = _CAMEL.sub(" ", text)
    tokens = [ABBREVIATIONS.get(token, token) for token in _NON_WORD.sub(" ", _fold(text)).split()]
    meaningful = [token for token in tokens if token not in STOPWORDS]
    return meaningful or tokens


def normalize_label(text: str) -> str:
    """Comparable form of a header or template name, without its bracketed unit."""
    base, _ = split_unit(text)
    return " ".join(_label_tokens(base))


def normalize_unit(unit: str) -> str:
    """Comparable form of a unit: "€" → "eur", "KM" → "km"."""
    for symbol, word in UNIT_WORDS.items():
        unit = unit.replace(symbol, f" {word} ")
    return " ".join(_label_tokens(unit))


@lru_cache(maxsize=65536)
def normalize_value(text: str) -> str:
    """Comparable form of a category cell: "Van <3.5t" == "van < 3.5 t", but "<" ≠ ">"."""
    text = _fold(text)
    for symbol, word in VALUE_SYMBOLS:
        text = text.replace(symbol, word)
    text = _DIGIT_LETTER.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())
