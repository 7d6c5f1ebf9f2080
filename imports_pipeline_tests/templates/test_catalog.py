"""Template catalog: built-in specs, user folder overrides, and precise errors for bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imports_pipeline.errors import TemplateFileError, UnknownTemplateError
from imports_pipeline.settings import Settings
from imports_pipeline.templates.catalog import TemplateCatalog, load_template_file
from imports_pipeline.templates.model import ColumnType

MINIMAL = """\
id: {id}
name: {name}
columns:
  - key: code
    label: Code
"""


@pytest.fixture(autouse=True)
def no_user_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPORTS_TEMPLATES_DIR", raising=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtins_are_listed_sorted_by_id() -> None:
    assert [t.id for t in TemplateCatalog().list()] == [
        "leads",
        "logistics_recharges",
        "logistics_requests",
    ]


def test_logistics_requests_contract() -> None:
    template = TemplateCatalog().get("logistics_requests")
    assert template.column_keys == [
        "trip_date",
        "client",
        "distance_km",
        "origin_country",
        "destination_country",
        "vehicle_type",
        "load_kg",
        "fuel_type",
        "cost_eur",
        "reference",
    ]
    assert template.required_keys == [
        "trip_date",
        "client",
        "distance_km",
        "origin_country",
        "destination_country",
    ]
    assert template.key_columns == ("reference",)
    assert template.column("distance_km").type is ColumnType.NUMBER
    assert template.column("distance_km").min == 0
    assert template.column("reference").max_length == 64
    assert template.column("reference").unique


def test_logistics_recharges_contract() -> None:
    template = TemplateCatalog().get("logistics_recharges")
    assert template.column_keys == [
        "recharge_date",
        "vehicle_plate",
        "fuel_type",
        "quantity",
        "unit",
        "cost_eur",
    ]
    assert template.required_keys == ["recharge_date", "vehicle_plate", "fuel_type", "quantity"]
    assert template.key_columns == ("recharge_date", "vehicle_plate", "fuel_type")
    plate = template.column("vehicle_plate").pattern
    assert (
        plate
        and re.match(plate, "1234 ABC")
        and re.match(plate, "B-AB-1234")
        and not re.match(plate, "??")
    )


def test_leads_contract() -> None:
    template = TemplateCatalog().get("leads")
    assert template.column_keys == ["first_name", "last_name", "email", "phone", "company", "stage"]
    assert template.required_keys == ["first_name", "email"]
    assert template.key_columns == ("email",)
    assert template.column("email").type is ColumnType.EMAIL and template.column("email").unique
    phone = template.column("phone").pattern
    assert phone and re.match(phone, "+34 (91) 555-12-34") and not re.match(phone, "call me")


@pytest.mark.parametrize("template", TemplateCatalog().list(), ids=lambda t: t.id)
def test_every_builtin_column_has_label_and_unambiguous_aliases(template) -> None:
    assert template.description
    seen: dict[str, str] = {}
    for column in template.columns:
        assert column.label and column.aliases, column.key
        for name in (column.key, column.label, *column.aliases):
            normal = " ".join(name.casefold().split())
            assert seen.setdefault(normal, column.key) == column.key, (
                f"{name!r} used by {seen[normal]} and {column.key}"
            )


def test_header_aliases_in_english_and_spanish() -> None:
    template = TemplateCatalog().get("logistics_requests")

    def names(key: str) -> set[str]:
        column = template.column(key)
        return {column.label, *column.aliases}

    assert {
        "Distance",
        "Distance (km)",
        "Km",
        "Kilometers",
        "Distancia",
        "Distancia (km)",
        "Kilómetros",
    } <= names("distance_km")
    assert {"Date", "Trip Date", "Fecha", "Fecha viaje", "Fecha del viaje"} <= names("trip_date")
    assert {"Origin", "From", "Origen", "País origen"} <= names("origin_country")


def test_options_for_resolves_sources_and_inline_options() -> None:
    catalog = TemplateCatalog()
    requests = catalog.get("logistics_requests")
    countries = catalog.options_for(requests.column("origin_country"))
    assert len(countries) >= 245 and "ES" in {o.value for o in countries}
    assert "van_lt_3_5t" in {o.value for o in catalog.options_for(requests.column("vehicle_type"))}
    assert "diesel" in {o.value for o in catalog.options_for(requests.column("fuel_type"))}
    units = catalog.options_for(catalog.get("logistics_recharges").column("unit"))
    assert [o.value for o in units] == ["liters", "kg", "kwh", "m3", "gallons"]
    assert "Litros" in units[0].aliases
    stages = catalog.options_for(catalog.get("leads").column("stage"))
    assert [o.value for o in stages] == ["new", "contacted", "qualified", "proposal", "won", "lost"]
    assert "Ganado" in stages[4].aliases
    assert catalog.options_for(requests.column("distance_km")) == []


def test_user_dir_from_environment_adds_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "mine.yml", MINIMAL.format(id="suppliers", name="Suppliers"))
    write(tmp_path, "any-file-name.yaml", MINIMAL.format(id="leads", name="My leads"))
    write(tmp_path, "notes.txt", "not a template")
    monkeypatch.setenv("IMPORTS_TEMPLATES_DIR", str(tmp_path))
    catalog = TemplateCatalog(Settings.from_environment().templates_dir)
    assert [t.id for t in catalog.list()] == [
        "leads",
        "logistics_recharges",
        "logistics_requests",
        "suppliers",
    ]
    assert catalog.get("leads").name == "My leads"
    assert catalog.get("leads").column_keys == ["code"]


def test_explicit_extra_dir(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", MINIMAL.format(id="suppliers", name="Suppliers"))
    assert TemplateCatalog(extra_dir=tmp_path).get("suppliers").name == "Suppliers"


def test_duplicate_id_in_one_folder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MINIMAL.format(id="suppliers", name="A"))
    write(tmp_path, "b.yaml", MINIMAL.format(id="suppliers", name="B"))
    with pytest.raises(
        TemplateFileError, match=r"b\.yaml: id 'suppliers' is already defined in a\.yaml"
    ):
        TemplateCatalog(extra_dir=tmp_path)


def test_missing_user_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateFileError, match="is not a directory"):
        TemplateCatalog(extra_dir=tmp_path / "nope")


def test_unknown_template_lists_available_ids() -> None:
    with pytest.raises(UnknownTemplateError) as raised:
        TemplateCatalog().get("invoices")
    assert "invoices" in str(raised.value)
    assert "leads, logistics_recharges, logistics_requests" in str(raised.value)


COLUMNS_HEAD = "id: bad\nname: Bad\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            COLUMNS_HEAD
            + "columns:\n  - {key: a, label: A}\n  - {key: b, label: B}\n"
            + "  - {key: c, label: C, type: text}\n",
            r"bad\.yaml: columns\[2\]\.type: Input should be 'string', 'integer'.* \(got 'text'\)",
            id="bad type",
        ),
        pytest.param(
            COLUMNS_HEAD + "columns:\n  - {key: a}\n",
            r"bad\.yaml: columns\[0\]\.label: Field required",
            id="missing label",
        ),
        pytest.param(
            COLUMNS_HEAD
            + "columns:\n  - {key: a, label: A, type: category, options_source: planets}\n",
            r"bad\.yaml: columns\[0\]\.options_source: unknown option source 'planets' "
            r"\(known: countries, fuels, logistics_tocs\)",
            id="unknown options_source",
        ),
        pytest.param(
            COLUMNS_HEAD + "columns:\n  - {key: a, label: A, type: category}\n",
            r"bad\.yaml: columns\[0\]: category column 'a' "
            r"needs exactly one of 'options' or 'options_source'",
            id="category without options",
        ),
        pytest.param(
            COLUMNS_HEAD + "columns:\n  - key: a\n    label: [unclosed\n",
            r"bad\.yaml: line \d+: invalid YAML",
            id="yaml syntax",
        ),
        pytest.param(
            COLUMNS_HEAD + "key_columns: [a, ghost]\ncolumns:\n  - {key: a, label: A}\n",
            r"bad\.yaml: key_columns name unknown columns: ghost",
            id="unknown key column",
        ),
        pytest.param(
            "- just\n- a list\n",
            r"bad\.yaml: a template must be a YAML mapping",
            id="not a mapping",
        ),
    ],
)
def test_bad_template_files_name_file_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", body)
    with pytest.raises(TemplateFileError, match=expected) as raised:
        load_template_file(path)
    assert raised.value.context["file"] == str(path)


def test_bad_user_template_fails_the_catalog(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", COLUMNS_HEAD + "columns: []\nsurprise: 1\n")
    with pytest.raises(
        TemplateFileError, match=r"broken\.yaml: surprise: Extra inputs are not permitted"
    ):
        TemplateCatalog(extra_dir=tmp_path)
