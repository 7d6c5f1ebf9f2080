"""Every row error code, produced by real files through the use cases."""

from __future__ import annotations

import io

import pytest

from imports_pipeline.vocabulary import Actor, Correction
from imports_pipeline_tests.service import build_service

ACTOR = Actor(organization_id="org-1", user_id="user-1")


@pytest.fixture
def service(tmp_path):
    return build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path)


def validate(service, template: str, csv_text: str, mapping: dict[str, str], locale: str = "en_US"):
    created = service.create_session(
        ACTOR, template, "file.csv", io.BytesIO(csv_text.encode()), numeric_locale=locale
    )
    result = service.validate(ACTOR, created.import_id, mapping, page_size=100)
    return (
        created.import_id,
        {(row.row_index, error.column): error.code for row in result.rows for error in row.errors},
        result,
    )


LOGISTICS = {
    "trip_date": "date",
    "client": "client",
    "distance_km": "km",
    "origin_country": "from",
    "destination_country": "to",
    "reference": "ref",
}


def test_logistics_error_codes(service):
    text = (
        "date,client,km,from,to,ref\n"
        "2026-03-01,ACME,10.5,ES,FR,R1\n"  # 0 valid
        "2026-03-02,,11,ES,FR,R2\n"  # 1 client required
        "2026-03-03,ACME,eleven,ES,FR,R3\n"  # 2 km invalid_type
        "2026-02-31,ACME,12,ES,FR,R4\n"  # 3 date invalid_type
        "2026-03-04,ACME,-1,ES,FR,R5\n"  # 4 km out_of_range
        "2026-03-05,ACME,13,Narnia,FR,R6\n"  # 5 origin invalid_option
        "2026-03-06,ACME,14,ES,FR,R1\n"  # 6 duplicate reference
        f"2026-03-07,ACME,15,ES,FR,{'X' * 65}\n"  # 7 reference too long
    )
    _, codes, result = validate(service, "logistics_requests", text, LOGISTICS)
    assert codes == {
        (1, "client"): "required",
        (2, "distance_km"): "invalid_type",
        (3, "trip_date"): "invalid_type",
        (4, "distance_km"): "out_of_range",
        (5, "origin_country"): "invalid_option",
        (6, "reference"): "duplicate_key",
        (7, "reference"): "too_long",
    }
    assert result.valid_rows == 1 and result.error_rows == 7
    duplicate = next(e for r in result.rows if r.row_index == 6 for e in r.errors)
    assert duplicate.message.endswith("already appears in row 0")


def test_leads_email_and_pattern_codes(service):
    text = (
        "Nombre,Email,Teléfono\n"
        "Ana,ana@example.com,+34 600 000 000\n"
        "Luis,not-an-email,600-000-000\n"
        "Eva,eva@example.com,call me\n"
    )
    _, codes, _ = validate(
        service, "leads", text, {"first_name": "Nombre", "email": "Email", "phone": "Teléfono"}
    )
    assert codes == {(1, "email"): "invalid_email", (2, "phone"): "pattern"}


def test_patch_resolves_and_creates_duplicates_across_the_whole_file(service):
    text = (
        "date,client,km,from,to,ref\n"
        + "".join(f"2026-03-01,ACME,1,ES,FR,R{i}\n" for i in range(30))
        + "2026-03-01,ACME,1,ES,FR,R5\n"
    )
    import_id, codes, _ = validate(service, "logistics_requests", text, LOGISTICS)
    assert codes == {(30, "reference"): "duplicate_key"}

    patched = service.patch_rows(ACTOR, import_id, [Correction(30, "reference", "R30")])
    assert patched.remaining_errors == 0

    patched = service.patch_rows(ACTOR, import_id, [Correction(12, "reference", "R20")])
    assert patched.remaining_errors == 1
    errors = service.rows(ACTOR, import_id, errors_only=True).rows
    assert [(r.row_index, r.errors[0].code) for r in errors] == [(20, "duplicate_key")]

    patched = service.patch_rows(ACTOR, import_id, [Correction(12, "reference", "R12")])
    assert patched.remaining_errors == 0 and patched.valid_rows == 31


def test_patch_with_a_text_value_uses_the_session_locale(service):
    text = "date,client,km,from,to\n2026-03-01,ACME,abc,ES,FR\n"
    mapping = {k: v for k, v in LOGISTICS.items() if k != "reference"}
    created = service.create_session(
        ACTOR,
        "logistics_requests",
        "f.csv",
        io.BytesIO(text.replace(",", ";").encode()),
        numeric_locale="es_ES",
    )
    service.validate(ACTOR, created.import_id, mapping)
    patched = service.patch_rows(
        ACTOR, created.import_id, [Correction(0, "distance_km", "1.234,5")]
    )
    assert patched.updated_rows[0].values["distance_km"] == 1234.5 and patched.remaining_errors == 0
    patched = service.patch_rows(ACTOR, created.import_id, [Correction(0, "client", None)])
    assert [(e.column, e.code) for e in patched.updated_rows[0].errors] == [("client", "required")]
    assert patched.updated_rows[0].values["distance_km"] == 1234.5


@pytest.mark.parametrize("seed", range(6))
def test_incremental_patches_agree_with_a_full_revalidation(service, seed):
    """Random patches of keys and numbers, then a full pass with the same corrections: same
    errors."""
    import random

    rnd = random.Random(seed)
    lines = ["date,client,km,from,to,ref"]
    for i in range(120):
        ref = f"R{rnd.randrange(90)}"
        km = rnd.choice(["1.5", "-2", "abc", "40"])
        lines.append(f"2026-03-{1 + i % 28:02d},{rnd.choice(['ACME', ''])},{km},ES,FR,{ref}")
    import_id, _, _ = validate(service, "logistics_requests", "\n".join(lines) + "\n", LOGISTICS)
    for _ in range(12):
        corrections = [
            Correction(
                rnd.randrange(120),
                rnd.choice(["reference", "distance_km", "client"]),
                rnd.choice(["R1", "R2", f"N{rnd.randrange(5)}", "7", None]),
            )
            for _ in range(rnd.randrange(1, 6))
        ]
        service.patch_rows(ACTOR, import_id, corrections)
    incremental = {
        (r.row_index, e.column, e.code)
        for r in service.rows(ACTOR, import_id, page_size=200).rows
        for e in r.errors
    }
    full = service.validate(ACTOR, import_id, LOGISTICS, page_size=200)
    revalidated = {(r.row_index, e.column, e.code) for r in full.rows for e in r.errors}
    assert incremental == revalidated
    assert len(revalidated) > 10


def test_an_ambiguous_category_value_names_its_candidates(service):
    # "Camión articulado" fits both articulated trucks: it is refused, and the error says which.
    text = "date,client,km,from,to,ref,vehicle\n2026-03-01,ACME,10,ES,FR,R1,Camión articulado\n"
    _, codes, result = validate(
        service, "logistics_requests", text, {**LOGISTICS, "vehicle_type": "vehicle"}
    )
    assert codes == {(0, "vehicle_type"): "invalid_option"}
    message = result.rows[0].errors[0].message
    assert message.startswith("Vehicle type: 'Camión articulado' is not one of the allowed options")
    assert "'Articulated truck < 33 t'" in message
    assert "'Articulated truck > 33 t'" in message
