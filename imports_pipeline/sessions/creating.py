"""Create: store the upload, parse it, and keep the table of strings the later steps read."""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

# Re-exported: the API declares the accepted locales in its schema.
from imports_pipeline.engine.coercion import SUPPORTED_LOCALES as SUPPORTED_LOCALES
from imports_pipeline.engine.coercion import infer_numeric_locale
from imports_pipeline.engine.reading import (
    SUPPORTED_EXTENSIONS,
    TableLimits,
    names_supported_file,
    read_table,
)
from imports_pipeline.engine.reading import SUPPORTED_FILE_NAME as SUPPORTED_FILE_NAME
from imports_pipeline.engine.workbook_parts import PartLimits
from imports_pipeline.errors import (
    DomainError,
    InvalidFileNameError,
    SessionExpiredError,
    StepOutOfOrderError,
    UnsupportedFileTypeError,
    UnsupportedLocaleError,
)
from imports_pipeline.sessions.base import SessionUseCases
from imports_pipeline.sessions.recovery import PARSE
from imports_pipeline.sessions.tables import PROFILE_ROWS
from imports_pipeline.store.leases import new_lease
from imports_pipeline.store.tables import ImportSessionRow, StoredFileRow
from imports_pipeline.views import CreatedSession, UploadRequested
from imports_pipeline.vocabulary import Actor, FileKind, SessionStatus

SAMPLE_ROWS = 5
IMPORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read out over the phone is not misheard."""
UPLOAD_LINK = "upload"
"""The purpose signed into an async upload URL, so no other signed link can stand in for it."""
MAX_FILE_NAME_LENGTH = 255
"""What file systems allow for one name; the column holds 512."""


@dataclass(frozen=True)
class NewSession:
    """What a create asks for, checked; the upload itself comes with it (sync) or later (async)."""

    template_id: str
    file_name: str
    numeric_locale: str | None = None
    selected_sheet: str | None = None
    project_id: str | None = None
    folder_id: str | None = None
    name: str | None = None
    note: str | None = None
    header_row: int | None = None
    """The physical row of the header (0-based, as ``detected_header_row``); None: detected."""
    import_id: str | None = None
    """Chosen beforehand by a dropped file's run, whose partition is named before the file is
    read; None: a new id."""


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
        wanted = NewSession(
            template_id,
            file_name,
            numeric_locale,
            selected_sheet,
            project_id,
            folder_id,
            name,
            note,
        )
        return self.create(actor, wanted, upload)

    def create(self, actor: Actor, wanted: NewSession, upload: BinaryIO) -> CreatedSession:
        """``create_session`` with what it asks for in one object."""
        session = self._new_row(actor, self._checked(actor, wanted))
        raw_file = self._store_upload(session, upload)
        self.repository.add_session(raw_file, session, new_import_code)
        return self._parse(session, raw_file)

    def request_upload(self, actor: Actor, wanted: NewSession) -> UploadRequested:
        """``upload_mode=async``: the session now, the file later, sent to a signed URL that
        works once, within the ``upload_link_minutes`` setting."""
        session = self._new_row(actor, self._checked(actor, wanted))
        session.parse_info = {**session.parse_info, "upload_mode": "async"}
        session.lease = None  # nothing runs until the file comes
        self.repository.add_session(None, session, new_import_code)
        expires_at = self.clock() + timedelta(minutes=self.settings.upload_link_minutes)
        token = self.stores.signer.sign(UPLOAD_LINK, session.id, expires_at)
        return UploadRequested(
            import_id=session.id,
            file_name=session.file_name,
            status=SessionStatus.CREATED,
            upload_token=token,
            upload_url_expires_at=expires_at,
        )

    def check_upload_link(self, token: str) -> str:
        """The import a signed upload link is for, if it still takes a file: checked before the
        body is read too, so a forged, used or expired link costs no upload."""
        import_id = self.stores.signer.verify(UPLOAD_LINK, token, self.clock())
        self._waiting_for_file(import_id)
        return import_id

    def _waiting_for_file(self, import_id: str) -> ImportSessionRow:
        session = self.stores.processing.session(import_id)
        if self.is_expired(session):
            raise SessionExpiredError(
                f"Import {import_id} expired at {session.expires_at.isoformat()}"
            )
        if session.raw_file_id is not None or session.status != SessionStatus.CREATED:
            raise StepOutOfOrderError(
                f"Import {import_id} already received its file (it is {session.status}):"
                " an upload URL works once"
            )
        return session

    def receive_upload(self, token: str, upload: BinaryIO) -> CreatedSession:
        """The file of an async create, sent to its signed URL: stored and parsed, as a sync
        create does. A second upload to the same URL is refused (409)."""
        import_id = self.check_upload_link(token)
        with self.tables.lock(import_id):
            session = self._waiting_for_file(import_id)  # again: another upload may have won
            raw_file = self._store_upload(session, upload)
            self.repository.add(raw_file)
            session = self.repository.update(
                import_id,
                self.clock(),
                raw_file_id=raw_file.id,
                parse_info={**session.parse_info, **self._upload_info(raw_file)},
                lease=new_lease(PARSE, SessionStatus.CREATED.value, self.clock()),
            )
            return self._parse(session, raw_file)

    def _checked(self, actor: Actor, wanted: NewSession) -> NewSession:
        """The template exists (and is the one an embed token imports into), the file name is
        kept as it may be, its type (when it names one) and the locale are ones we read."""
        self.catalog.get(wanted.template_id)
        self.check_template_scope(actor, wanted.template_id)
        # The rule the create form's schema declares for file_name: no extension (the parse reads
        # the format from the bytes) or one we read.
        # (A multipart filename is not a declared field: its NULs are dropped like other
        # unprintable characters.)
        if not names_supported_file(wanted.file_name.replace("\x00", "")):
            extension = wanted.file_name.rsplit(".", 1)[-1]
            raise UnsupportedFileTypeError(
                f"File type '.{extension}' is not supported;"
                f" use one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
            )
        file_name = upload_file_name(wanted.file_name)
        if wanted.numeric_locale is not None and wanted.numeric_locale not in SUPPORTED_LOCALES:
            raise UnsupportedLocaleError(
                f"numeric_locale '{wanted.numeric_locale}' is not supported;"
                f" use one of {', '.join(SUPPORTED_LOCALES)}"
            )
        return dataclasses.replace(wanted, file_name=file_name)

    def _new_row(self, actor: Actor, wanted: NewSession) -> ImportSessionRow:
        now = self.clock()
        return ImportSessionRow(
            id=wanted.import_id or str(uuid.uuid4()),
            organization_id=actor.organization_id,
            user_id=actor.user_id,
            template_id=wanted.template_id,
            file_name=wanted.file_name,
            file_type=Path(wanted.file_name).suffix.lower().lstrip("."),
            status=SessionStatus.CREATED.value,
            status_detail=None,
            numeric_locale=wanted.numeric_locale,
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
            raw_file_id=None,
            project_id=wanted.project_id,
            folder_id=wanted.folder_id,
            selected_sheet=wanted.selected_sheet,
            sheets=[],
            detected_header_row=0,
            parse_info={} if wanted.header_row is None else {"header_row": wanted.header_row},
            artifacts={},
            submission=None,
            processing_status=None,
            name=wanted.name,
            note=wanted.note,
            import_code=new_import_code(),
            updated_by=actor.acting_id,
            lease=new_lease(PARSE, SessionStatus.CREATED.value, now),
            version=1,
            expires_at=now + self.ttl,
            created_at=now,
            updated_at=now,
        )

    def _store_upload(self, session: ImportSessionRow, upload: BinaryIO) -> StoredFileRow:
        """The bytes as received, hashed on the way, under ``upload<ext>``; ``session`` points
        at the record."""
        extension = Path(session.file_name).suffix.lower()
        saved = self.files.save_stream(session.id, f"upload{extension}", upload)
        raw_file = StoredFileRow(
            id=str(uuid.uuid4()),
            organization_id=session.organization_id,
            session_id=session.id,
            kind=FileKind.UPLOAD.value,
            file_name=session.file_name,
            relative_path=saved.relative_path,
            size_bytes=saved.size_bytes,
            sha256=saved.sha256,
            content_type=None,
            created_at=self.clock(),
        )
        session.raw_file_id = raw_file.id
        session.parse_info = {**session.parse_info, **self._upload_info(raw_file)}
        return raw_file

    @staticmethod
    def _upload_info(raw_file: StoredFileRow) -> dict[str, Any]:
        return {"sha256": raw_file.sha256, "size_bytes": raw_file.size_bytes}

    def _parse(self, session: ImportSessionRow, raw_file: StoredFileRow) -> CreatedSession:
        """Read the stored upload into the table of strings; ``failed`` with the reason if it
        cannot be read."""
        import_id = session.id
        try:
            parsed = read_table(
                self.files.path_of(raw_file.relative_path),
                session.file_name,
                session.selected_sheet,
                TableLimits(
                    self.settings.max_rows,
                    self.settings.max_cell_chars,
                    PartLimits(
                        self.settings.max_workbook_part_bytes,
                        self.settings.max_workbook_part_ratio,
                    ),
                ),
                header_row=session.parse_info.get("header_row"),
            )
        except DomainError as error:
            self.abandon_step(
                import_id,
                session.lease,
                status=SessionStatus.FAILED.value,
                status_detail=str(error),
                parse_info={**session.parse_info, "error_code": error.code},
            )
            error.context["import_id"] = import_id
            raise
        except Exception as error:  # a bug or a full disk: on record, never stuck in `created`
            self.abandon_step(
                import_id,
                session.lease,
                status=SessionStatus.FAILED.value,
                status_detail=f"the upload could not be read (an internal {type(error).__name__})",
            )
            raise
        parsed_name = self.files.write_table(import_id, "parsed", parsed.table)
        sample = parsed.sample_rows(PROFILE_ROWS)
        locale = session.numeric_locale
        inferred = (
            {} if locale else infer_locales(parsed.source_columns, sample, parsed.native_columns)
        )
        self.finish_step(
            import_id,
            session.lease,
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
                "row_offsets": parsed.row_offsets,
            },
            artifacts={"parsed": parsed_name},
        )
        return CreatedSession(
            import_id=import_id,
            file_name=session.file_name,
            total_rows=parsed.total_rows,
            numeric_locale=locale,
            sheets=list(parsed.sheets),
            selected_sheet=parsed.selected_sheet,
            detected_header_row=parsed.detected_header_row,
            source_columns=list(parsed.source_columns),
            sample_rows=sample[:SAMPLE_ROWS],
            inferred_numeric_locales=inferred,
        )


UNNAMED_UPLOAD = "upload"
"""The name shown for a file whose name has nothing printable left."""


def upload_file_name(name: str) -> str:
    """The name a client sent, as kept: its last path part (browsers on Windows send
    ``C:\\…\\x.csv``, a hostile client ``../../x.csv``), unprintable characters removed. The
    bytes are stored as ``upload<ext>`` whatever the name, so this is only what lists and
    downloads show."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(cleaned) > MAX_FILE_NAME_LENGTH:
        raise InvalidFileNameError(
            f"The file name is {len(cleaned)} characters long;"
            f" at most {MAX_FILE_NAME_LENGTH} are accepted",
            field="upload_file",
        )
    # Nothing a person could read is left ("../", a private-use character): the schema allows
    # such a name, and it is only shown, so it is shown as this.
    return cleaned or (UNNAMED_UPLOAD if name else "")


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
