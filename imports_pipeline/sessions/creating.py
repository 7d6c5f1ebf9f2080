"""Create: store the upload, parse it, and keep the table of strings the later steps read."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from imports_pipeline.engine.coercion import SUPPORTED_LOCALES, infer_numeric_locale
from imports_pipeline.engine.reading import SUPPORTED_EXTENSIONS, read_table
from imports_pipeline.errors import (
    DomainError,
    InvalidFileNameError,
    UnsupportedFileTypeError,
    UnsupportedLocaleError,
)
from imports_pipeline.sessions.base import SessionUseCases
from imports_pipeline.sessions.tables import PROFILE_ROWS
from imports_pipeline.store.tables import ImportSessionRow, StoredFileRow
from imports_pipeline.views import CreatedSession
from imports_pipeline.vocabulary import Actor, FileKind, SessionStatus

SAMPLE_ROWS = 5
IMPORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read out over the phone is not misheard."""
MAX_FILE_NAME_LENGTH = 255
"""What file systems allow for one name; the column holds 512."""


class CreatingSessions(SessionUseCases):
    def create_session(
        self,
        actor: Actor,
        template_id: str,
        file_name: str,
        upload: BinaryIO,
        numeric_locale: str | None = None,
        selected_sheet: str | None = None,
        project_id: str | None = None,
        folder_id: str | None = None,
        name: str | None = None,
        note: str | None = None,
    ) -> CreatedSession:
        """Store the upload, parse it and persist the table of strings.

        The session row is written (status ``created``) as soon as the upload is
        safely stored, so a file that then fails to parse is still on record as
        ``failed`` with the reason, and its bytes are kept.
        """
        template = self.catalog.get(template_id)
        file_name = upload_file_name(file_name)
        extension = Path(file_name).suffix.lower()
        if extension not in SUPPORTED_EXTENSIONS:
            raise UnsupportedFileTypeError(
                f"File type '{extension or file_name}' is not supported;"
                f" use one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
            )
        if numeric_locale is not None and numeric_locale not in SUPPORTED_LOCALES:
            raise UnsupportedLocaleError(
                f"numeric_locale '{numeric_locale}' is not supported;"
                f" use one of {', '.join(SUPPORTED_LOCALES)}"
            )
        import_id = str(uuid.uuid4())
        now = self.clock()
        saved = self.files.save_stream(import_id, f"upload{extension}", upload)
        raw_file = StoredFileRow(
            id=str(uuid.uuid4()),
            organization_id=actor.organization_id,
            session_id=import_id,
            kind=FileKind.UPLOAD.value,
            file_name=file_name,
            relative_path=saved.relative_path,
            size_bytes=saved.size_bytes,
            sha256=saved.sha256,
            content_type=None,
            created_at=now,
        )
        session = ImportSessionRow(
            id=import_id,
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            template_id=template.id,
            file_name=file_name,
            file_type=extension.lstrip("."),
            status=SessionStatus.CREATED.value,
            status_detail=None,
            numeric_locale=numeric_locale,
            actor_type=actor.actor_type,
            actor_api_key_id=actor.api_key_id,
            total_rows=0,
            valid_rows=0,
            error_rows=0,
            source_columns=[],
            mapping=None,
            value_mapping=None,
            errors_by_column=None,
            submitted_file_id=None,
            processing_job_id=None,
            raw_file_id=raw_file.id,
            project_id=project_id,
            folder_id=folder_id,
            selected_sheet=selected_sheet,
            sheets=[],
            detected_header_row=0,
            parse_info={"sha256": saved.sha256, "size_bytes": saved.size_bytes},
            artifacts={},
            submission=None,
            processing_status=None,
            name=name,
            note=note,
            import_code=new_import_code(),
            updated_by=actor.acting_id,
            version=1,
            expires_at=now + self.ttl,
            created_at=now,
            updated_at=now,
        )
        self.repository.add_session(raw_file, session, new_import_code)
        try:
            parsed = read_table(self.files.path_of(saved.relative_path), file_name, selected_sheet)
        except DomainError as error:
            self.repository.update(
                import_id, self.clock(), status=SessionStatus.FAILED.value, status_detail=str(error)
            )
            error.context["import_id"] = import_id
            raise
        parsed_name = self.files.write_table(import_id, "parsed", parsed.table)
        sample = parsed.sample_rows(PROFILE_ROWS)
        inferred = (
            {}
            if numeric_locale
            else infer_locales(parsed.source_columns, sample, parsed.native_columns)
        )
        self.repository.update(
            import_id,
            self.clock(),
            status=SessionStatus.PARSED.value,
            file_type=parsed.file_type,
            total_rows=parsed.total_rows,
            source_columns=list(parsed.source_columns),
            sheets=list(parsed.sheets),
            selected_sheet=parsed.selected_sheet,
            detected_header_row=parsed.detected_header_row,
            parse_info={
                **session.parse_info,
                "encoding": parsed.encoding,
                "delimiter": parsed.delimiter,
                "native_columns": sorted(parsed.native_columns),
                "inferred_numeric_locales": inferred,
            },
            artifacts={"parsed": parsed_name},
        )
        return CreatedSession(
            import_id=import_id,
            file_name=file_name,
            total_rows=parsed.total_rows,
            numeric_locale=numeric_locale,
            sheets=list(parsed.sheets),
            selected_sheet=parsed.selected_sheet,
            detected_header_row=parsed.detected_header_row,
            source_columns=list(parsed.source_columns),
            sample_rows=sample[:SAMPLE_ROWS],
            inferred_numeric_locales=inferred,
        )


def upload_file_name(name: str) -> str:
    """The name a client sent, as kept: its last path part (browsers on Windows send
    ``C:\\…\\x.csv``, a hostile client ``../../x.csv``), control characters removed. The bytes are
    stored as ``upload<ext>`` whatever the name, so this is only what lists and downloads show."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(cleaned) > MAX_FILE_NAME_LENGTH:
        raise InvalidFileNameError(
            f"The file name is {len(cleaned)} characters long;"
            f" at most {MAX_FILE_NAME_LENGTH} are accepted",
            field="upload_file",
        )
    if not cleaned and name:
        raise InvalidFileNameError(
            f"The file name {name!r} has no name left once folders are removed", field="upload_file"
        )
    return cleaned


def infer_locales(
    source_columns: list[str], sample: list[list[str | None]], native: frozenset[str]
) -> dict[str, str]:
    """The numeric convention of each source column that looks numeric (typed workbook cells need
    none)."""
    inferred: dict[str, str] = {}
    for position, name in enumerate(source_columns):
        if name in native:
            continue
        locale = infer_numeric_locale(pd.Series([r[position] for r in sample], dtype="str"))
        if locale:
            inferred[name] = locale
    return inferred


def new_import_code() -> str:
    """``IMP-`` and six random characters: about a billion codes, unique within an organization."""
    return "IMP-" + "".join(secrets.choice(IMPORT_CODE_ALPHABET) for _ in range(6))
