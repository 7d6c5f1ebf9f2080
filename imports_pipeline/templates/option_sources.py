"""Shared option lists that category columns name by key (``options_source``).

Lists used by several templates (countries, fuels, vehicle types) live here once
instead of being copied into every YAML file. Each source returns English labels
and Spanish/variant aliases, because customer files mix both languages.
"""

from __future__ import annotations

import csv
import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pycountry

from imports_pipeline.errors import UnknownOptionSourceError
from imports_pipeline.templates.model import Option

OPTIONS_DIR = Path(__file__).parent / "options"


def _unique(names: list[str], exclude: set[str]) -> tuple[str, ...]:
    """Drop blanks, repeats and names already used as value/label, keeping order."""
    seen = {name.casefold() for name in exclude}
    kept: list[str] = []
    for name in names:
        name = name.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (OPTIONS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _from_option_csv(name: str) -> list[Option]:
    """Read ``value,label,label_es,aliases`` rows; aliases are ``|``-separated."""
    return [
        Option(
            value=row["value"],
            label=row["label"],
            aliases=_unique(
                [row["label_es"], *row["aliases"].split("|")], {row["value"], row["label"]}
            ),
        )
        for row in _read_csv(name)
    ]


def _countries() -> list[Option]:
    """ISO 3166-1 from pycountry, Spanish names from its bundled gettext catalogue."""
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    extra: dict[str, list[str]] = {}
    for row in _read_csv("country_aliases.csv"):
        extra.setdefault(row["value"], []).append(row["alias"])
    options = []
    for country in pycountry.countries:
        names = [
            getattr(country, "common_name", None),
            country.name,
            getattr(country, "official_name", None),
        ]
        english = [str(name) for name in names if name]
        label = english[0]
        aliases = [*(spanish.gettext(name) for name in english), *english[1:], str(country.alpha_3)]
        aliases += country_names(str(country.alpha_2))
        aliases += extra.get(country.alpha_2, [])
        options.append(
            Option(
                value=str(country.alpha_2),
                label=label,
                aliases=_unique(aliases, {str(country.alpha_2), label}),
            )
        )
    return sorted(options, key=lambda option: option.value)


TRANSLATED_LANGUAGES = ("es", "fr", "de", "it", "pt")
COMMON_SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England"),
    "US": ("USA", "U.S.", "U.S.A.", "EE.UU.", "EEUU", "America"),
    "AE": ("UAE", "EAU"),
}
"""Everyday names that ISO does not list."""
"""Languages whose country names every country option answers to."""


@cache
def country_names(alpha_2: str) -> tuple[str, ...]:
    """English, translated (es, fr, de, it, pt) and alpha-3 names of an ISO 3166-1 alpha-2 code;
    empty for anything that is not one. Inline options ``[ES, FR]`` understand "Espagne"."""
    country = pycountry.countries.get(alpha_2=alpha_2) if len(alpha_2) == 2 else None
    if country is None:
        return ()
    english = [
        str(name)
        for name in (
            getattr(country, "common_name", None),
            country.name,
            getattr(country, "official_name", None),
        )
        if name
    ]
    names = [*english, str(country.alpha_3), *COMMON_SHORT_NAMES.get(alpha_2, ())]
    for language in TRANSLATED_LANGUAGES:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        names += [catalogue.gettext(name) for name in english]
    return _unique(names, {alpha_2})


OPTION_SOURCES: dict[str, Callable[[], list[Option]]] = {
    "countries": _countries,
    "fuels": lambda: _from_option_csv("fuels.csv"),
    "logistics_tocs": lambda: _from_option_csv("logistics_tocs.csv"),
}


@cache
def _resolved(key: str) -> tuple[Option, ...]:
    return tuple(OPTION_SOURCES[key]())


def resolve_option_source(key: str) -> list[Option]:
    """The options behind ``key``; built once per process, a fresh list per call."""
    if key not in OPTION_SOURCES:
        known = ", ".join(sorted(OPTION_SOURCES))
        raise UnknownOptionSourceError(
            f"unknown option source '{key}'; known sources: {known}", source=key
        )
    return list(_resolved(key))
