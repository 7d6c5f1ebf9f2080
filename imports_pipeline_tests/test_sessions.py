"""The use cases end to end on real files, a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

import pyarrow.parquet as pq
import pytest

from imports_pipeline.errors import (
    EmptyFileError,
    InvalidCorrectionError,
    InvalidCursorError,
    InvalidFileNameError,
    InvalidMappingError,
    SessionExpiredError,
    SessionNotFoundError,
    StepOutOfOrderError,
    SubmissionBlockedError,
    UnknownTemplateError,
    UnsupportedFileTypeError,
)
from imports_pipeline.vocabulary import Actor, Correction, SessionStatus, TimeRange
from imports_pipeline_tests.service import (
    REFERENCE_FIELDS,
    SAMPLE_CSV,
    SAMPLE_MAPPING,
    SEED_MAPPING,
    SESSION_FIELDS,
    build_service,
)

ACTOR = Actor(
    organization_id="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
    user_id="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
)
OTHER_ORG = Actor(organization_id="cccccccc-cccc-cccc-cccc-cccccccccccc")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 8, 14, 0, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgres"])
def service(request, tmp_path, clock):
    url = (
        f"sqlite:///{tmp_path / 'imports.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    return build_service(url, tmp_path, clock)


@pytest.fixture
def sqlite_service(tmp_path, clock):
    return build_service(f"sqlite:///{tmp_path / 'imports.db'}", tmp_path, clock)


def create(
    service,
    content: bytes | None = None,
    name: str = "logistics.csv",
    template: str = "logistics_requests",
    actor=ACTOR,
    **options,
):
    data = SAMPLE_CSV.read_bytes() if content is None else content
    options.setdefault("numeric_locale", "es_ES")
    return service.create_session(actor, template, name, io.BytesIO(data), **options)


def test_create_session_answers_like_the_contract_example(service):
    created = create(service)
    assert created.file_name == "logistics.csv"
    assert created.total_rows == 240
    assert created.numeric_locale == "es_ES"
    assert created.sheets == []
    assert created.selected_sheet is None
    assert created.detected_header_row == 0
    assert created.source_columns == [
        "Trip Date",
        "Client",
        "Distance",
        "Origin Country",
        "Destination Country",
        "Reference",
    ]
    assert created.sample_rows[0] == ["2026-03-01", "ACME", "125,4", "ES", "FR", "TRIP-0001"]


def test_session_object_has_every_contract_field_and_a_24h_ttl(service, clock):
    created = create(service, project_id="p1", folder_id="f1")
    session = service.get_session(ACTOR, created.import_id)
    dumped = session.model_dump(mode="json")
    assert set(dumped) == SESSION_FIELDS | REFERENCE_FIELDS
    assert dumped["status"] == "parsed"
    assert dumped["file_type"] == "csv"
    assert dumped["actor_type"] == "user"
    assert dumped["user_id"] == ACTOR.user_id
    assert dumped["project_id"] == "p1" and dumped["folder_id"] == "f1"
    assert dumped["raw_file_id"] is not None
    assert dumped["created_at"] == "2026-04-08T14:00:00"
    assert dumped["expires_at"] == "2026-04-09T14:00:00"


def test_the_seed_flow_validate_review_patch_submit(service):
    created = create(service)
    upload_hash = hashlib.sha256(SAMPLE_CSV.read_bytes()).hexdigest()

    suggestion = service.suggest_mapping(ACTOR, created.import_id)
    assert suggestion.mapping == SAMPLE_MAPPING
    assert suggestion.unmapped_required == []

    result = service.validate(ACTOR, created.import_id, SEED_MAPPING, page=1, page_size=50)
    assert (result.status, result.total_rows, result.valid_rows, result.error_rows) == (
        "validated",
        240,
        238,
        2,
    )
    assert result.errors_by_column == {"distance_km": 2}
    assert result.rows[0].values == {
        "trip_date": "2026-03-01",
        "client": "ACME",
        "distance_km": 125.4,
        "origin_country": "ES",
        "destination_country": "FR",
        "vehicle_type": None,
        "load_kg": None,
        "fuel_type": None,
        "cost_eur": None,
        "reference": None,
    }
    assert len(result.rows) == 50 and result.pages == 5

    errors = service.rows(ACTOR, created.import_id, page=1, page_size=50, errors_only=True)
    assert [r.row_index for r in errors.rows] == [17, 203]
    assert [(e.column, e.code, e.value) for e in errors.rows[0].errors] == [
        ("distance_km", "invalid_type", "128.4 km?")
    ]
    assert [(e.column, e.code, e.value) for e in errors.rows[1].errors] == [
        ("distance_km", "out_of_range", "-15,0")
    ]
    assert "Distance" in errors.rows[0].errors[0].message

    patched = service.patch_rows(ACTOR, created.import_id, [Correction(17, "distance_km", 128.4)])
    assert patched.remaining_errors == 1 and patched.error_rows == 1 and patched.valid_rows == 239
    assert patched.updated_rows[0].row_index == 17
    assert patched.updated_rows[0].values["distance_km"] == 128.4
    assert patched.updated_rows[0].is_valid

    page = service.rows(ACTOR, created.import_id, page=1, page_size=20)
    assert page.rows[17].values["distance_km"] == 128.4 and page.rows[17].errors == []

    with pytest.raises(SubmissionBlockedError, match="1 rows with errors"):
        service.submit(ACTOR, created.import_id, ignore_errors=False)
    submitted = service.submit(ACTOR, created.import_id, ignore_errors=True, partner="dcycle")
    assert submitted.status == "processing" and submitted.rows_submitted == 239

    session = service.get_session(ACTOR, created.import_id)
    assert session.status is SessionStatus.SUBMITTED
    assert session.submitted_file_id == submitted.file_id
    file_row = service.repository.get_file(submitted.file_id, ACTOR.organization_id)
    dataset = pq.read_table(service.files.path_of(file_row.relative_path)).to_pandas()
    assert len(dataset) == 239 and 203 not in set(dataset["row_index"])
    assert dataset.set_index("row_index").loc[17, "distance_km"] == 128.4

    raw = service.repository.get_file(session.raw_file_id, ACTOR.organization_id)
    assert (
        hashlib.sha256(service.files.path_of(raw.relative_path).read_bytes()).hexdigest()
        == upload_hash
    )

    with pytest.raises(StepOutOfOrderError, match="already submitted"):
        service.patch_rows(ACTOR, created.import_id, [Correction(203, "distance_km", 5)])


def test_steps_out_of_order_are_refused(sqlite_service):
    created = create(sqlite_service)
    with pytest.raises(StepOutOfOrderError, match="not been validated"):
        sqlite_service.rows(ACTOR, created.import_id)
    with pytest.raises(StepOutOfOrderError):
        sqlite_service.patch_rows(ACTOR, created.import_id, [Correction(1, "distance_km", 1)])
    with pytest.raises(StepOutOfOrderError, match="no mapping"):
        sqlite_service.validate(ACTOR, created.import_id, {})
    with pytest.raises(StepOutOfOrderError):
        sqlite_service.submit(ACTOR, created.import_id)


def test_bad_mappings_name_the_offending_columns(sqlite_service):
    created = create(sqlite_service)
    with pytest.raises(
        InvalidMappingError, match="source columns that are not in the file: Kilometres"
    ):
        sqlite_service.validate(
            ACTOR, created.import_id, {**SEED_MAPPING, "distance_km": "Kilometres"}
        )
    with pytest.raises(InvalidMappingError, match=r"template columns that do not exist.*: weight"):
        sqlite_service.validate(ACTOR, created.import_id, {**SEED_MAPPING, "weight": "Client"})
    partial = {k: v for k, v in SEED_MAPPING.items() if k != "client"}
    with pytest.raises(
        InvalidMappingError, match="required template columns are not mapped: client"
    ):
        sqlite_service.validate(ACTOR, created.import_id, partial)
    assert sqlite_service.get_session(ACTOR, created.import_id).status is SessionStatus.PARSED


def test_bad_corrections_are_refused_and_change_nothing(sqlite_service):
    created = create(sqlite_service)
    sqlite_service.validate(ACTOR, created.import_id, SEED_MAPPING)
    with pytest.raises(InvalidCorrectionError, match="row_index 240 does not exist"):
        sqlite_service.patch_rows(
            ACTOR,
            created.import_id,
            [Correction(17, "distance_km", 1), Correction(240, "distance_km", 1)],
        )
    with pytest.raises(InvalidCorrectionError, match="'weight' is not a column"):
        sqlite_service.patch_rows(ACTOR, created.import_id, [Correction(17, "weight", 1)])
    assert sqlite_service.repository.corrections(created.import_id) == []
    assert sqlite_service.get_session(ACTOR, created.import_id).error_rows == 2


def test_other_organizations_cannot_see_a_session(sqlite_service):
    created = create(sqlite_service)
    with pytest.raises(SessionNotFoundError):
        sqlite_service.get_session(OTHER_ORG, created.import_id)
    with pytest.raises(SessionNotFoundError):
        sqlite_service.validate(OTHER_ORG, created.import_id, SEED_MAPPING)
    assert sqlite_service.list_sessions(OTHER_ORG).total == 0


def test_sessions_expire_after_24_hours(sqlite_service, clock):
    created = create(sqlite_service)
    clock.now += timedelta(hours=24)
    with pytest.raises(SessionExpiredError):
        sqlite_service.validate(ACTOR, created.import_id, SEED_MAPPING)
    assert sqlite_service.get_session(ACTOR, created.import_id).status is SessionStatus.EXPIRED
    assert sqlite_service.list_sessions(ACTOR).total == 0
    assert (
        sqlite_service.list_sessions(ACTOR, include_expired=True).items[0].status
        is SessionStatus.EXPIRED
    )


def test_list_filters_and_pages_newest_first(service, clock):
    first = create(service)
    clock.now += timedelta(minutes=1)
    second = create(service, template="logistics_requests")
    service.validate(ACTOR, second.import_id, SEED_MAPPING)
    clock.now += timedelta(minutes=1)
    third = create(service, actor=Actor(ACTOR.organization_id, user_id="someone-else"))
    page = service.list_sessions(ACTOR, page=1, size=2)
    assert [s.id for s in page.items] == [third.import_id, second.import_id]
    assert (page.total, page.pages, page.size) == (3, 2, 2)
    assert [s.id for s in service.list_sessions(ACTOR, page=2, size=2).items] == [first.import_id]
    assert [s.id for s in service.list_sessions(ACTOR, status=SessionStatus.VALIDATED).items] == [
        second.import_id
    ]
    assert [s.id for s in service.list_sessions(ACTOR, user_id="someone-else").items] == [
        third.import_id
    ]
    assert service.list_sessions(ACTOR, template_id="leads").total == 0


def test_page_numbers_past_the_end_give_empty_pages_however_large(service):
    """Callers other than the API (which caps ``page``) must not overflow NumPy or SQL OFFSET
    either."""
    created = create(service)
    service.validate(ACTOR, created.import_id, SEED_MAPPING)
    for page in (5, 2**62, 10**30):
        assert service.rows(ACTOR, created.import_id, page=page, page_size=1000).rows == []
        assert (
            service.rows(ACTOR, created.import_id, page=page, page_size=1000, errors_only=True).rows
            == []
        )
        listed = service.list_sessions(ACTOR, page=page, size=100)
        assert (listed.items, listed.total, listed.page) == ([], 1, page)
    assert (
        len(service.rows(ACTOR, created.import_id, page=1, page_size=1000).rows)
        == created.total_rows
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\ana\\trips.csv", "trips.csv"),
        ("../../../etc/passwd.csv", "passwd.csv"),
        ("tab\there\x00.csv", "tabhere.csv"),
    ],
)
def test_file_names_are_kept_without_folders_or_control_characters(sqlite_service, sent, kept):
    created = create(sqlite_service, name=sent)
    assert sqlite_service.get_session(ACTOR, created.import_id).file_name == kept
    [stored] = [
        f
        for f in (sqlite_service.files.root / "sessions" / created.import_id).iterdir()
        if f.name.startswith("upload")
    ]
    assert stored.name == "upload.csv"  # the bytes never land under a name the client chose


def test_a_file_name_too_long_is_refused_naming_the_field(sqlite_service):
    with pytest.raises(InvalidFileNameError, match="300 characters long; at most 255") as too_long:
        create(sqlite_service, name="x" * 296 + ".csv")
    assert too_long.value.context == {"field": "upload_file"} and too_long.value.http_status == 422
    assert sqlite_service.list_sessions(ACTOR).total == 0  # refused before anything was stored


@pytest.mark.parametrize("name", ["../", "\uf614", "dir/\u200b"])
def test_a_file_name_with_nothing_printable_left_is_shown_as_upload(sqlite_service, name):
    """Found by schemathesis (issue 14): such names are schema-valid and were refused; a name is
    only shown, and the bytes say the format."""
    created = create(sqlite_service, name=name)
    assert sqlite_service.get_session(ACTOR, created.import_id).file_name == "upload"


def test_bad_files_are_refused_and_recorded(sqlite_service):
    with pytest.raises(UnsupportedFileTypeError, match=r"\.pdf"):
        create(sqlite_service, b"%PDF-1.4", name="report.pdf")
    with pytest.raises(UnknownTemplateError):
        create(sqlite_service, template="nope")
    with pytest.raises(EmptyFileError):
        create(sqlite_service, b"", name="empty.csv")
    failed = sqlite_service.list_sessions(ACTOR).items
    assert [s.status for s in failed] == [SessionStatus.FAILED]
    assert failed[0].status_detail and failed[0].raw_file_id


def test_confirmed_mappings_are_remembered_per_organization(sqlite_service):
    content = (
        b"Fecha;Cliente;Cliente final;Km;Origen;Destino\n2026-03-01;ACME;Carrefour;12,5;ES;FR\n"
    )
    first = create(sqlite_service, content)
    suggested = sqlite_service.suggest_mapping(ACTOR, first.import_id).mapping
    assert suggested["client"] == "Cliente"
    chosen = {**suggested, "client": "Cliente final"}
    sqlite_service.validate(ACTOR, first.import_id, chosen)
    second = create(sqlite_service, content)
    again = sqlite_service.suggest_mapping(ACTOR, second.import_id)
    assert again.mapping["client"] == "Cliente final"
    assert (
        next(s for s in again.suggestions if s.template_column == "client").reason == "remembered"
    )
    other = create(sqlite_service, content, actor=OTHER_ORG)
    assert sqlite_service.suggest_mapping(OTHER_ORG, other.import_id).mapping["client"] == "Cliente"


def test_unique_values_show_counts_validity_and_suggestions(sqlite_service):
    content = "Fecha;Cliente;Km;Origen;Destino\n" + "".join(
        f"2026-03-0{i % 9 + 1};ACME;1;{origin};ES\n"
        for i, origin in enumerate(["ES", "Spain", "france", "FR", "ES", "Narnia"])
    )
    created = create(sqlite_service, content.encode())
    mapping = {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Km",
        "origin_country": "Origen",
        "destination_country": "Destino",
    }
    values = sqlite_service.unique_values(ACTOR, created.import_id, mapping).columns
    origin = {v.raw_value: v for v in values["origin_country"]}
    assert (
        origin["ES"].count == 2 and origin["ES"].is_valid and origin["ES"].suggested_option == "ES"
    )
    assert origin["Spain"].is_valid and origin["Spain"].suggested_option == "ES"
    assert origin["france"].suggested_option == "FR"
    assert not origin["Narnia"].is_valid
    assert (
        values["destination_country"][0].raw_value == "ES"
        and values["destination_country"][0].count == 6
    )
    assert sqlite_service.get_session(ACTOR, created.import_id).status is SessionStatus.MAPPED

    result = sqlite_service.validate(
        ACTOR, created.import_id, mapping, value_mapping={"origin_country": {"Narnia": "PT"}}
    )
    assert result.error_rows == 0
    assert [r.values["origin_country"] for r in result.rows] == ["ES", "ES", "FR", "FR", "ES", "PT"]


def test_cursor_pages_stay_correct_while_sessions_are_created(service, clock):
    made = []
    for _ in range(5):
        made.append(create(service).import_id)
        clock.now += timedelta(seconds=1)
    first = service.list_sessions(ACTOR, size=2)
    assert [s.id for s in first.items] == made[:-3:-1]
    create(service)  # newer than everything handed out so far
    second = service.list_sessions(ACTOR, size=2, cursor=first.next_cursor)
    third = service.list_sessions(ACTOR, size=2, cursor=second.next_cursor)
    assert [s.id for s in second.items] == [made[2], made[1]]
    assert [s.id for s in third.items] == [made[0]] and third.next_cursor is None
    oldest_first = service.list_sessions(ACTOR, size=3, sort="created_at")
    assert [s.id for s in oldest_first.items] == made[:3]
    # A cursor is a position: under another sort it continues after the same session.
    after_made_3 = service.list_sessions(ACTOR, size=5, sort="created_at", cursor=first.next_cursor)
    assert [s.id for s in after_made_3.items][:1] == [made[4]]


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", "", "1.2.not-a-uuid", "1" * 17 + ".1.11111111-1111-1111-1111-111111111111"],
)
def test_a_cursor_not_of_the_declared_shape_is_refused(service, cursor):
    create(service)
    with pytest.raises(InvalidCursorError, match=r"CREATED\.UPDATED\.SESSION_ID"):
        service.list_sessions(ACTOR, cursor=cursor)


def test_any_cursor_of_the_declared_shape_is_a_position_not_an_error(service, clock):
    """Found by schemathesis (issue 14): a schema-valid cursor answered 422. A made-up one of
    the declared shape now lists what comes after that position."""
    made = []
    for _ in range(3):
        made.append(create(service).import_id)
        clock.now += timedelta(seconds=1)
    far_future = "9" * 16 + "." + "9" * 16 + ".ffffffff-ffff-ffff-ffff-ffffffffffff"
    assert [s.id for s in service.list_sessions(ACTOR, cursor=far_future).items] == made[::-1]
    before_all = "0.0.00000000-0000-0000-0000-000000000000"
    assert service.list_sessions(ACTOR, cursor=before_all).items == []
    by_id = service.list_sessions(ACTOR, sort="id", cursor=before_all)
    assert [s.id for s in by_id.items] == sorted(made)


def test_range_bounds_at_the_ends_of_the_calendar_are_limits_not_errors(sqlite_service):
    from datetime import timezone

    made = create(sqlite_service).import_id
    plus_14, minus_14 = timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))
    earliest = datetime(1, 1, 1, tzinfo=plus_14)  # before year 1 once in UTC
    latest = datetime(9999, 12, 31, 23, 59, 59, tzinfo=minus_14)  # after year 9999 once in UTC
    assert [
        s.id for s in sqlite_service.list_sessions(ACTOR, created_at=TimeRange(gte=earliest)).items
    ] == [made]
    assert [
        s.id for s in sqlite_service.list_sessions(ACTOR, created_at=TimeRange(lt=latest)).items
    ] == [made]
    assert sqlite_service.list_sessions(ACTOR, updated_at=TimeRange(gt=latest)).items == []
    assert sqlite_service.list_sessions(ACTOR, created_at=TimeRange(lt=earliest)).items == []


def test_range_filters_on_created_and_updated_at(sqlite_service, clock):
    early = create(sqlite_service).import_id
    clock.now += timedelta(hours=1)
    late = create(sqlite_service).import_id
    clock.now += timedelta(hours=1)
    sqlite_service.validate(ACTOR, early, SEED_MAPPING)
    start = datetime(2026, 4, 8, 14, 30)
    assert [
        s.id for s in sqlite_service.list_sessions(ACTOR, created_at=TimeRange(gte=start)).items
    ] == [late]
    assert [
        s.id for s in sqlite_service.list_sessions(ACTOR, created_at=TimeRange(lt=start)).items
    ] == [early]
    assert [
        s.id
        for s in sqlite_service.list_sessions(
            ACTOR, updated_at=TimeRange(gt=datetime(2026, 4, 8, 15, 30))
        ).items
    ] == [early]
    assert [s.id for s in sqlite_service.list_sessions(ACTOR, sort="-updated_at").items] == [
        early,
        late,
    ]


def test_an_xlsx_error_report_shows_control_characters_xml_cannot_hold_as_replacement_characters(
    sqlite_service,
):
    """A CSV cell can hold NUL or a form feed; XML cannot, and openpyxl refused to write them
    (a 500)."""
    from openpyxl import load_workbook

    valid = (
        "2026-03-02;ACME;12;ES;FR\n" * 3000
    )  # NUL in the sniffed sample would make it "binary": put it after
    content = "Fecha;Cliente;Km;Origen;Destino\n" + valid + "2026-03-01;AC\x00ME;x\x0c1;ES;FR\n"
    created = create(sqlite_service, content.encode())
    mapping = {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Km",
        "origin_country": "Origen",
        "destination_country": "Destino",
    }
    sqlite_service.validate(ACTOR, created.import_id, mapping)

    sheet = load_workbook(sqlite_service.error_report(ACTOR, created.import_id, "xlsx").path)[
        "errors"
    ]

    assert [c.value for c in sheet[2]][:5] == [
        3000,
        3002,
        datetime(2026, 3, 1),
        "AC\ufffdME",
        "x\ufffd1",
    ]
    assert "\ufffd" in sheet["E2"].comment.text  # the message quotes the cell
    assert sheet.max_row == 2


def test_error_reports_list_failing_rows_with_original_cells_and_neutralise_formulas(
    sqlite_service,
):
    import csv
    import json

    from openpyxl import load_workbook

    content = (
        "Fecha;Cliente;Km;Origen;Destino\n"
        "2026-03-01;ACME;12,5;ES;FR\n"
        '2026-03-02;=HYPERLINK("x");abc;ES;FR\n'
        "2026-03-03;;-4;ES;FR\n"
    )
    created = create(sqlite_service, content.encode())
    mapping = {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Km",
        "origin_country": "Origen",
        "destination_country": "Destino",
    }
    sqlite_service.validate(ACTOR, created.import_id, mapping)

    report = sqlite_service.error_report(ACTOR, created.import_id, "csv")
    rows = list(csv.DictReader(report.path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["row_index"] for r in rows] == ["1", "2"]
    assert rows[0]["Cliente"] == '\'=HYPERLINK("x")' and rows[0]["error_codes"] == "invalid_type"
    assert rows[1]["Km"] == "-4" and rows[1]["error_columns"] == "client, distance_km"
    assert report.file_name == "logistics.errors.csv"

    data = json.loads(
        sqlite_service.error_report(ACTOR, created.import_id, "json").path.read_text()
    )
    assert data[0]["values"]["Km"] == "abc" and data[0]["errors"][0]["code"] == "invalid_type"

    book = load_workbook(sqlite_service.error_report(ACTOR, created.import_id, "xlsx").path)
    sheet = book["errors"]
    assert [c.value for c in sheet[1]][:7] == [
        "row_index",
        "spreadsheet_row",
        "Fecha",
        "Cliente",
        "Km",
        "Origen",
        "Destino",
    ]
    assert sheet["D2"].value == '\'=HYPERLINK("x")' and sheet["D2"].data_type == "s"
    assert (
        sheet["E2"].fill.start_color.rgb == "FFF4CCCC"
        and "not a number" in sheet["E2"].comment.text
    )
    assert sheet["C2"].comment is None
    assert (
        sheet["D3"].comment is not None and sheet["E3"].comment is not None
    )  # the second failing row: its own cells
    assert sheet["D2"].comment is None

    sqlite_service.patch_rows(ACTOR, created.import_id, [Correction(1, "distance_km", 3)])
    after = sqlite_service.error_report(ACTOR, created.import_id, "csv")
    assert [
        r["row_index"]
        for r in csv.DictReader(after.path.read_text(encoding="utf-8-sig").splitlines())
    ] == ["2"]

    upload = sqlite_service.original_upload(ACTOR, created.import_id)
    assert upload.path.read_bytes() == content.encode() and upload.media_type == "text/csv"


def test_status_carries_the_submission(sqlite_service):
    created = create(sqlite_service)
    sqlite_service.validate(ACTOR, created.import_id, SEED_MAPPING)
    assert sqlite_service.status(ACTOR, created.import_id).processing_status is None
    sqlite_service.submit(
        ACTOR, created.import_id, ignore_errors=True, partner="dcycle", action="merge"
    )
    status = sqlite_service.status(ACTOR, created.import_id)
    assert (status.status, status.processing_status, status.rows_submitted) == (
        "submitted",
        "queued",
        238,
    )
    assert status.submission.partner == "dcycle" and status.submission.action == "merge"


def test_workbook_sheet_choice_title_rows_and_typed_cells(sqlite_service, tmp_path):
    from datetime import date

    from imports_pipeline_tests.files import write_xlsx

    path = write_xlsx(
        tmp_path / "viajes.xlsx",
        {
            "Resumen": [["Total", 3]],
            "Viajes": [
                ["Informe de viajes marzo 2026"],
                [],
                ["Fecha", "Cliente", "Distancia (km)", "País origen", "País destino"],
                [date(2026, 3, 1), "ACME", 125.4, "España", "Francia"],
                [date(2026, 3, 2), "Norte", 1234.5, "ES", "PT"],
                [date(2026, 3, 3), "Sur", "99,5", "Portugal", "Alemania"],
            ],
        },
    )
    created = create(sqlite_service, path.read_bytes(), name="viajes.xlsx", selected_sheet="Viajes")
    assert created.sheets == ["Resumen", "Viajes"] and created.selected_sheet == "Viajes"
    assert created.detected_header_row == 2 and created.total_rows == 3
    assert created.sample_rows[0] == ["2026-03-01", "ACME", "125.4", "España", "Francia"]
    mapping = sqlite_service.suggest_mapping(ACTOR, created.import_id).mapping
    assert mapping == {
        "trip_date": "Fecha",
        "client": "Cliente",
        "distance_km": "Distancia (km)",
        "origin_country": "País origen",
        "destination_country": "País destino",
    }
    result = sqlite_service.validate(ACTOR, created.import_id, mapping)
    # Typed cells ignore the session's es_ES locale; the one text cell in the column is read in it.
    assert [r.values["distance_km"] for r in result.rows] == [125.4, 1234.5, 99.5]
    assert result.error_rows == 0
    assert [r.values["origin_country"] for r in result.rows] == ["ES", "ES", "PT"]
    assert [r.values["destination_country"] for r in result.rows] == ["FR", "PT", "DE"]
    session = sqlite_service.get_session(ACTOR, created.import_id)
    assert session.file_type == "xlsx" and session.selected_sheet == "Viajes"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Trip Date;Client;Distance\n", "header_only.csv", "no data rows"),
        (bytes(range(256)) * 64, "binary.csv", "not text in any supported encoding"),
        (b"PK\x03\x04 not really a workbook", "broken.xlsx", "workbook|read|corrupt"),
    ],
)
def test_unreadable_uploads_fail_clearly_and_keep_the_bytes(sqlite_service, content, name, message):
    from imports_pipeline.errors import UnreadableFileError

    with pytest.raises((EmptyFileError, UnreadableFileError), match=message):
        create(sqlite_service, content, name=name)
    failed = sqlite_service.list_sessions(ACTOR).items[0]
    assert failed.status is SessionStatus.FAILED and failed.status_detail
    upload = sqlite_service.original_upload(ACTOR, failed.id)
    assert upload.path.read_bytes() == content


def _rules_without_compiling(service, monkeypatch) -> list[str]:
    """The template ids ``rules_for`` answers for once compiling rules would fail: only those
    compiled before (by the warm-up) can be answered."""
    from imports_pipeline.sessions import base

    def no_more_compiling(*args, **kwargs):
        raise AssertionError("rules compiled after the warm-up")

    monkeypatch.setattr(base, "ValidationRules", no_more_compiling)
    return [service.rules_for(template).template.id for template in service.catalog.list()]


def test_warm_up_leaves_every_template_compiled_and_the_encoder_loaded(service, monkeypatch):
    """What a server's first suggest and validate would wait for is done by ``warm_up``: after
    it, compiling a template's rules again would fail, and no request needs to."""
    from imports_pipeline.engine.mapping import embeddings

    service.warm_up()
    compiled = _rules_without_compiling(service, monkeypatch)
    assert compiled == [template.id for template in service.catalog.list()] and compiled
    assert embeddings.available()


def test_with_overlay_takes_corrected_rows_in_the_typed_order():
    import pandas as pd

    from imports_pipeline.sessions.tables import with_overlay

    typed = pd.DataFrame(
        {"km": pd.array([1.0, 2.0, 3.0, 4.0], dtype="Float64"), "ref": ["a", "b", "c", "d"]},
        index=pd.Index([7, 3, 9, 5], dtype="int64"),
    )
    overlay = pd.DataFrame(
        {"ref": ["B", "X"], "km": pd.array([None, 8.0], dtype="Float64")},
        index=pd.Index([3, 11], dtype="int64"),
    )
    merged = with_overlay(typed, overlay)
    assert merged.index.tolist() == [7, 3, 9, 5]
    assert merged["ref"].tolist() == ["a", "B", "c", "d"]
    assert merged["km"].isna().tolist() == [False, True, False, False]
    assert merged.columns.tolist() == ["km", "ref"]


def test_the_served_app_warms_up_in_the_background(service, monkeypatch):
    """``serving_app`` (what ``serve``, its workers and the quickstart run) starts the warm-up
    in a thread of its own and answers without waiting for it."""
    import threading

    from imports_pipeline.api.app import serving_app

    app = serving_app(service)
    assert app.state.service is service
    warming: threading.Thread = app.state.warm_up
    assert warming.daemon
    warming.join(timeout=60)
    assert not warming.is_alive()
    assert _rules_without_compiling(service, monkeypatch)


def test_cell_records_give_what_pandas_gives_for_every_typed_column():
    """Rows of a page are read through Arrow; the JSON they become is what pandas' own
    conversion gave, for every dtype a typed column has, missing cells included, and a mixed
    object column (which Arrow cannot type) still comes out whole."""
    import numpy as np
    import pandas as pd

    from imports_pipeline.sessions.reviewing import cell_records, json_value

    def when(*texts):
        return pd.to_datetime(list(texts), format="ISO8601")

    typed = pd.DataFrame(
        {
            "day": when("2026-03-01", "2026-03-02 10:30:00.123", None).astype("datetime64[ms]"),
            "zoned": when("2026-03-01", "2026-03-02 10:30", None).tz_localize("Europe/Madrid"),
            "km": pd.array([1.5, None, 3.0], dtype="Float64"),
            "ratio": np.array([1.5, np.nan, 2.0]),
            "ref": pd.array(["a", None, "c"], dtype="str"),
            "ok": pd.array([True, None, False], dtype="boolean"),
            "count": pd.array([1, None, 3], dtype="Int64"),
        }
    ).set_axis(pd.Index([5, 9, 2]))

    def as_json(records):
        return [{k: json_value(v) for k, v in r.items()} for r in records]

    by_pandas = typed.astype(object).where(typed.notna(), None).to_dict(orient="records")
    assert as_json(cell_records(typed)) == as_json(by_pandas)
    assert as_json(cell_records(typed))[0]["day"] == "2026-03-01"
    assert as_json(cell_records(typed))[1]["day"] == "2026-03-02T10:30:00.123000"
    assert as_json(cell_records(typed))[1]["km"] is None
    mixed = pd.DataFrame({"any": ["x", 2, None]}, dtype=object)
    assert cell_records(mixed) == [{"any": "x"}, {"any": 2}, {"any": None}]


FULL_MAPPING = {
    **SAMPLE_MAPPING,
    "vehicle_type": "Vehicle",
    "load_kg": "Load",
    "fuel_type": "Fuel",
    "cost_eur": "Cost",
}


def _ten_column_csv(edits: dict[tuple[int, str], str] | None = None) -> bytes:
    """The sample with the template's other four columns filled, and ``edits`` (row, header) →
    text written in: a file whose rows carry errors in several columns at once."""
    lines = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()
    header = [*lines[0].split(";"), "Vehicle", "Load", "Fuel", "Cost"]
    vehicles = ["Van", "Rigid truck", "camion articulado", "Barco", ""]
    loads = ["1200", "-5", "abc", "", "3400,5"]
    fuels = ["Diesel", "Gasolina", "HVO", "kerosene"]
    costs = ["99,9", "", "-1", "1.250,00"]
    rows = []
    for number, line in enumerate(lines[1:]):
        extra = [vehicles[number % 5], loads[number % 5], fuels[number % 4], costs[number % 4]]
        cells = [*line.split(";"), *extra]
        for (row, column), text in (edits or {}).items():
            if row == number:
                cells[header.index(column)] = text
        rows.append(";".join(cells))
    return ("\n".join([";".join(header), *rows]) + "\n").encode("utf-8")


def test_a_patch_leaves_the_session_as_a_validation_of_the_corrected_file_would(service):
    """A patch re-reads only the cells it corrects and keeps the rest of each touched row
    (typed values and errors) from the full pass. The oracle: after each patch, the error list
    and every typed row equal those of a new session whose file has the corrections written in.
    Patches fix and break cells, touch rows with errors in other columns, correct a row twice,
    empty a required cell and make and unmake duplicate keys."""
    import numpy as np

    patches = [
        [("17", "Distance", "distance_km", "128,4"), ("1", "Load", "load_kg", "7")],
        [("1", "Fuel", "fuel_type", "gasóleo"), ("3", "Reference", "reference", "TRIP-0001")],
        [("2", "Vehicle", "vehicle_type", "Barco"), ("6", "Client", "client", None)],
        [
            ("3", "Reference", "reference", "TRIP-0099"),
            ("8", "Reference", "reference", "TRIP-0005"),
        ],
        [
            ("1", "Load", "load_kg", "-3"),
            ("203", "Distance", "distance_km", "15"),
            ("9", "Trip Date", "trip_date", "31/02/2026"),
        ],
    ]
    patched = create(service, _ten_column_csv())
    service.validate(ACTOR, patched.import_id, FULL_MAPPING)
    written: dict[tuple[int, str], str] = {}
    for patch in patches:
        corrections = [Correction(int(row), key, value) for row, _, key, value in patch]
        service.patch_rows(ACTOR, patched.import_id, corrections)
        written.update({(int(row), header): value or "" for row, header, _, value in patch})
        fresh = create(service, _ten_column_csv(written))
        service.validate(ACTOR, fresh.import_id, FULL_MAPPING)
        states = []
        for import_id in (patched.import_id, fresh.import_id):
            row = service.repository.get(import_id, ACTOR.organization_id)
            errors = service.tables.errors(row)[["row_index", "column", "code", "message"]]
            typed = service.tables.typed_rows(row, np.arange(row.total_rows, dtype=np.int64))
            states.append((errors.to_dict("records"), typed.astype(object).to_dict("records")))
        assert states[0][0] == states[1][0], patch
        assert states[0][1] == states[1][1], patch
        assert (
            row.error_rows
            == service.repository.get(patched.import_id, ACTOR.organization_id).error_rows
        )
    codes = {e["code"] for e in states[0][0]}
    assert {"invalid_type", "out_of_range", "invalid_option", "required", "duplicate_key"} <= codes
    # Submit merges the corrections in Arrow: the datasets of the two sessions are the same.
    datasets = []
    for import_id in (patched.import_id, fresh.import_id):
        submitted = service.submit(ACTOR, import_id, ignore_errors=True)
        stored = service.repository.get_file(submitted.file_id, ACTOR.organization_id)
        datasets.append(pq.read_table(service.files.path_of(stored.relative_path)).to_pandas())
    assert datasets[0].columns[0] == "row_index" and len(datasets[0]) == 240 - row.error_rows
    assert datasets[0].astype(object).to_dict("records") == datasets[1].astype(object).to_dict(
        "records"
    )
    assert datasets[0].dtypes.to_dict() == datasets[1].dtypes.to_dict()
