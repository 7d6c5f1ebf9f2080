"""Downloads of a session's files: the upload as received or converted, and the error reports."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv

from imports_pipeline.engine.report_rows import ReportFacts
from imports_pipeline.engine.reports import REPORT_FORMATS, error_report
from imports_pipeline.errors import (
    InvalidSignedLinkError,
    SessionNotFoundError,
    UnsupportedFileTypeError,
)
from imports_pipeline.sessions.base import SessionUseCases
from imports_pipeline.store.signing import unix_seconds
from imports_pipeline.store.tables import ImportSessionRow
from imports_pipeline.views import DownloadableFile, SignedDownload
from imports_pipeline.vocabulary import Actor, ActorType, Phase, SessionStatus

UPLOAD_FORMATS = {"csv": "text/csv", "json": "application/json"}
"""The upload converted (PackageX's ``_upload_csv_url`` and ``_upload_json_url``)."""
ERROR_COLUMNS = ["row_index", "column", "code", "message", "value"]
PROCESSING_REJECTIONS = (Phase.DEDUPE, Phase.VALIDATE)
"""Phases that leave rows out for reasons validation did not report (repeated keys, unknown keys
for a delete); prevalidate's are the validation errors themselves."""
REPORT_LAYOUT = "v2"
"""Part of a built report's name: a report cached by an older layout (no spreadsheet_row, untyped
cells) is built again after an upgrade instead of served."""
REPORT_LINK = "error_report"
"""The purpose signed into an error report's download link, so no other signed link stands in."""
EXPIRES_DIGITS = 12
"""A signed link's ``expires`` is Unix seconds: ten digits until the year 2286."""


class DownloadingFiles(SessionUseCases):
    def original_upload(self, actor: Actor, import_id: str) -> DownloadableFile:
        row = self.load(actor, import_id)
        stored = (
            self.repository.get_file(row.raw_file_id, actor.organization_id)
            if row.raw_file_id
            else None
        )
        if stored is None:
            raise SessionNotFoundError(f"Import {import_id} has no stored upload")
        return DownloadableFile(
            path=self.files.path_of(stored.relative_path),
            file_name=stored.file_name,
            media_type=media_type(stored.file_name),
        )

    def converted_upload(self, actor: Actor, import_id: str, fmt: str) -> DownloadableFile:
        """The upload as read (header row found, every cell as text) in CSV or JSON, whatever
        its own format; built once and kept while the session's tables are."""
        if fmt not in UPLOAD_FORMATS:
            raise UnsupportedFileTypeError(
                f"the upload converts to {', '.join(UPLOAD_FORMATS)}, not '{fmt}'"
            )
        row = self.load(actor, import_id)
        if "parsed" not in row.artifacts:
            self.require_validated(row)  # expired (410), else never parsed
            raise SessionNotFoundError(f"Import {import_id} has no readable upload to convert")
        name = f"report.upload.{Path(row.artifacts['parsed']).stem}.{fmt}"
        path = self.files.session_dir(import_id) / name
        if not path.exists():
            table = self.files.read_table(import_id, row.artifacts["parsed"])
            temporary = path.with_name(f".{name}.tmp")
            if fmt == "csv":
                pa_csv.write_csv(table, temporary)
            else:
                table.to_pandas().to_json(temporary, orient="records", force_ascii=False)
            temporary.replace(path)
        stem = Path(row.file_name).stem
        return DownloadableFile(
            path=path, file_name=f"{stem}.{fmt}", media_type=UPLOAD_FORMATS[fmt]
        )

    def error_report(self, actor: Actor, import_id: str, fmt: str) -> DownloadableFile:
        """Every row left out, as CSV, JSON or XLSX: the validation errors and, once processed,
        the rows processing left out (repeated keys, unknown keys). Built once per state."""
        if fmt not in REPORT_FORMATS:
            raise UnsupportedFileTypeError(
                f"error reports come as {', '.join(REPORT_FORMATS)}, not '{fmt}'"
            )
        row = self.load(actor, import_id)
        self.require_validated(row)
        rejected, stamp = self.processing_rejections(row)
        name = f"report.{REPORT_LAYOUT}.{Path(row.artifacts['errors']).stem}{stamp}.{fmt}"
        path = self.files.session_dir(import_id) / name
        if not path.exists():
            errors = pd.concat([self.tables.errors(row), rejected], ignore_index=True)
            errors = errors.sort_values("row_index", kind="stable", ignore_index=True)
            failing = np.unique(errors["row_index"].to_numpy(dtype=np.int64))
            source = self.files.read_rows(import_id, row.artifacts["parsed"], failing).to_pandas()
            source.index = pd.Index(failing)
            typed = self.tables.typed_rows(row, failing) if fmt == "xlsx" else None
            facts = ReportFacts(
                import_id=import_id,
                file_name=row.file_name,
                template_id=row.template_id,
                total_rows=row.total_rows,
                detected_header_row=row.detected_header_row,
                made_at=self.clock(),
                row_offsets=row.parse_info.get("row_offsets"),
            )
            report = error_report(source, errors, row.mapping or {}, fmt, facts, typed)
            self.files.save_bytes(import_id, name, report)
        stem = Path(row.file_name).stem
        return DownloadableFile(
            path=path, file_name=f"{stem}.errors.{fmt}", media_type=REPORT_FORMATS[fmt]
        )

    def error_report_link(self, actor: Actor, import_id: str, fmt: str) -> SignedDownload:
        """A link to one session's report in one format that works without API-key headers
        (a browser, a mail), for ``report_link_minutes``."""
        if fmt not in REPORT_FORMATS:
            raise UnsupportedFileTypeError(
                f"error reports come as {', '.join(REPORT_FORMATS)}, not '{fmt}'"
            )
        row = self.load(actor, import_id)
        self.require_validated(row)
        expires = unix_seconds(self.clock()) + 60 * self.settings.report_link_minutes
        signature = self.stores.signer.signature(
            REPORT_LINK, _report_subject(import_id, fmt), expires
        )
        return SignedDownload(import_id=import_id, fmt=fmt, expires=expires, signature=signature)

    def signed_error_report(
        self, import_id: str, fmt: str, expires: str, signature: str
    ) -> DownloadableFile:
        """The report a signed link names; refused (403) when the link was altered, names
        another session or format, or expired. The signature is checked before the session is
        looked up, so a link cannot probe which sessions exist."""
        # ASCII digits only, and no more than Unix seconds need: "³" is a digit to isdigit()
        # but not to int(), and int() refuses strings of more than 4,300 digits.
        if not (expires.isascii() and expires.isdigit() and len(expires) <= EXPIRES_DIGITS):
            raise InvalidSignedLinkError(
                f"This download link's expires ({expires!r}) is not one the service wrote"
            )
        self.stores.signer.check(
            REPORT_LINK, _report_subject(import_id, fmt), int(expires), signature, self.clock()
        )
        session = self.stores.processing.session(import_id)
        owner = Actor(organization_id=session.organization_id, actor_type=ActorType.SYSTEM.value)
        return self.error_report(owner, import_id, fmt)

    def processing_rejections(self, row: ImportSessionRow) -> tuple[pd.DataFrame, str]:
        """The rows processing left out, as row errors, and a tag of when those phases last ran
        (so a report is rebuilt after a re-run)."""
        frames: list[pd.DataFrame] = []
        stamp = ""
        if row.status != SessionStatus.SUBMITTED:
            return pd.DataFrame(columns=ERROR_COLUMNS), stamp
        phases = {p.phase: p for p in self.stores.processing.phases(row.id)}
        for phase in PROCESSING_REJECTIONS:
            ran = phases.get(phase.value)
            name = (ran.detail or {}).get("rejected_file") if ran else None
            if ran is None or not name:
                continue
            stamp += f".{phase.value}{ran.started_at:%Y%m%d%H%M%S%f}"
            frame = self.files.read_table(row.id, name).to_pandas()[ERROR_COLUMNS]
            frame["value"] = frame["value"].astype("str")
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=ERROR_COLUMNS), stamp
        return pd.concat(frames, ignore_index=True), stamp


def media_type(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def _report_subject(import_id: str, fmt: str) -> str:
    """What a report link's signature covers: one session (ids are unique across tenants) and
    one format."""
    return f"{import_id}/{fmt}"
