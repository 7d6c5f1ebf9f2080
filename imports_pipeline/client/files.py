"""Downloads: the original upload, the upload converted, the error reports; bytes, or a file."""

from __future__ import annotations

from pathlib import Path
from typing import overload

from imports_pipeline.client.transport import Transport
from imports_pipeline.wire import ReportFormat, UploadFormat


class FilesMixin:
    transport: Transport

    @overload
    def download_upload(self, import_id: str, to: None = None) -> bytes: ...
    @overload
    def download_upload(self, import_id: str, to: Path | str) -> Path: ...
    def download_upload(self, import_id: str, to: Path | str | None = None) -> bytes | Path:
        """The upload byte for byte (``GET /files/upload``)."""
        return self.download(f"/v2/imports/{import_id}/files/upload", to)

    @overload
    def download_converted_upload(
        self, import_id: str, fmt: UploadFormat | str, to: None = None
    ) -> bytes: ...
    @overload
    def download_converted_upload(
        self, import_id: str, fmt: UploadFormat | str, to: Path | str
    ) -> Path: ...
    def download_converted_upload(
        self, import_id: str, fmt: UploadFormat | str, to: Path | str | None = None
    ) -> bytes | Path:
        """The upload as read, every cell as text: ``csv`` or ``json``."""
        return self.download(f"/v2/imports/{import_id}/files/upload.{UploadFormat(fmt)}", to)

    @overload
    def download_error_report(
        self, import_id: str, fmt: ReportFormat | str = ReportFormat.CSV, to: None = None
    ) -> bytes: ...
    @overload
    def download_error_report(
        self, import_id: str, fmt: ReportFormat | str, to: Path | str
    ) -> Path: ...
    def download_error_report(
        self,
        import_id: str,
        fmt: ReportFormat | str = ReportFormat.CSV,
        to: Path | str | None = None,
    ) -> bytes | Path:
        """The rows left out with their errors: ``csv``, ``json`` or ``xlsx`` (409 before
        validate)."""
        return self.download(f"/v2/imports/{import_id}/files/errors.{ReportFormat(fmt)}", to)

    def download(self, path: str, to: Path | str | None) -> bytes | Path:
        """The body as bytes, or streamed to ``to`` without holding it in memory (through a
        temporary name, so a failed download never leaves half a file under the wanted one)."""
        if to is None:
            return self.transport.request("GET", path).content
        target = Path(to)
        partial = target.with_name(target.name + ".part")
        try:
            self.transport.download(path, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        return target
