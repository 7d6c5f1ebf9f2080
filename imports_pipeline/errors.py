"""Domain errors shared by every layer.

Each error carries a stable ``code`` and the HTTP status the API answers with,
so the engine can say precisely what is wrong (row, column, field) without
knowing anything about HTTP.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a problem with the caller's input or request, never a bug."""

    code: str = "DOMAIN_ERROR"
    http_status: int = 400

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class TemplateFileError(DomainError):
    """A template YAML file is malformed; the message names the file and the field."""

    code = "INVALID_TEMPLATE_FILE"
    http_status = 500


class UnknownTemplateError(DomainError):
    code = "TEMPLATE_NOT_FOUND"
    http_status = 404


class UnknownOptionSourceError(DomainError):
    code = "OPTION_SOURCE_NOT_FOUND"
    http_status = 404


class UnsupportedFileTypeError(DomainError):
    code = "UNSUPPORTED_FILE_TYPE"
    http_status = 415


class InvalidFileNameError(DomainError):
    """The upload's file name cannot be kept
    (too long, or nothing left once folders are stripped)."""

    code = "INVALID_FILE_NAME"
    http_status = 422


class SheetTooLargeError(DomainError):
    """A worksheet's used range is too large to load as a grid (a stray cell far from the data)."""

    code = "SHEET_TOO_LARGE"
    http_status = 422


class WorkbookTooLargeError(DomainError):
    """A workbook part that would decompress past the limits (a zip bomb, or a sheet too big)."""

    code = "WORKBOOK_TOO_LARGE"
    http_status = 422


class TooManyColumnsError(DomainError):
    code = "TOO_MANY_COLUMNS"
    http_status = 422


class TooManyRowsError(DomainError):
    code = "TOO_MANY_ROWS"
    http_status = 422


class CellTooLongError(DomainError):
    code = "CELL_TOO_LONG"
    http_status = 422


class EmptyFileError(DomainError):
    code = "EMPTY_FILE"
    http_status = 422


class UnreadableFileError(DomainError):
    """The bytes are not a table we can read (binary, corrupt workbook, …)."""

    code = "UNREADABLE_FILE"
    http_status = 422


class UnknownSheetError(DomainError):
    code = "SHEET_NOT_FOUND"
    http_status = 422


class UnsupportedLocaleError(DomainError):
    code = "UNSUPPORTED_LOCALE"
    http_status = 422


class InvalidMappingError(DomainError):
    code = "INVALID_MAPPING"
    http_status = 422


class InvalidCorrectionError(DomainError):
    code = "INVALID_CORRECTION"
    http_status = 422


class SessionNotFoundError(DomainError):
    code = "IMPORT_NOT_FOUND"
    http_status = 404


class SessionExpiredError(DomainError):
    code = "IMPORT_EXPIRED"
    http_status = 410


class StepTakenOverError(DomainError):
    """A long step finished after its lease expired and the session had been recovered."""

    code = "STEP_TAKEN_OVER"
    http_status = 409


class StepOutOfOrderError(DomainError):
    """E.g. validate before mapping, or patch after submit."""

    code = "INVALID_STATE"
    http_status = 409


class SubmissionBlockedError(DomainError):
    """Errors remain and the client did not ask to ignore them."""

    code = "VALIDATION_ERRORS_REMAIN"
    http_status = 409


class InvalidCursorError(DomainError):
    code = "INVALID_CURSOR"
    http_status = 422


class InvalidApiKeyError(DomainError):
    """Missing, unknown or revoked API key (the contract's 401 body)."""

    code = "INVALID_API_KEY"
    http_status = 401


class InvalidHeaderRowError(DomainError):
    """A header row asked for (``header_row``) that is not a row the file starts there."""

    code = "INVALID_HEADER_ROW"
    http_status = 422


class OutsideEmbedScopeError(DomainError):
    """An embed token used for what the web importer does not do (listing sessions, rollback)."""

    code = "OUTSIDE_EMBED_SCOPE"
    http_status = 403


class InvalidEmbedTokenError(DomainError):
    """An embed token (the web importer's, ``POST /v2/imports/embed-tokens``) that is forged,
    expired or used where an API key is needed."""

    code = "INVALID_EMBED_TOKEN"
    http_status = 401


class OrganizationMismatchError(DomainError):
    """A valid key used with another organization's id."""

    code = "ORGANIZATION_MISMATCH"
    http_status = 403


class ApiKeyNotFoundError(DomainError):
    code = "API_KEY_NOT_FOUND"
    http_status = 404


class UploadTooLargeError(DomainError):
    code = "UPLOAD_TOO_LARGE"
    http_status = 413


class IdempotencyKeyReusedError(DomainError):
    """The same Idempotency-Key was sent with a different request (method, path or body)."""

    code = "IDEMPOTENCY_KEY_REUSED"
    http_status = 422


class IdempotencyKeyInUseError(DomainError):
    """The first request with this Idempotency-Key is still running."""

    code = "IDEMPOTENCY_KEY_IN_USE"
    http_status = 409


class InvalidSignedLinkError(DomainError):
    """A signed link (an async upload URL) that the service did not sign, or signed for another
    use."""

    code = "INVALID_SIGNED_LINK"
    http_status = 403


class SignedLinkExpiredError(DomainError):
    code = "SIGNED_LINK_EXPIRED"
    http_status = 410


class DownloadLinkExpiredError(DomainError):
    """A signed download link past its time: refused like any link that no longer authorises
    (403), with when it expired."""

    code = "DOWNLOAD_LINK_EXPIRED"
    http_status = 403


class WebhookNotFoundError(DomainError):
    code = "WEBHOOK_NOT_FOUND"
    http_status = 404


class InvalidWebhookError(DomainError):
    """A subscription that cannot be delivered to as asked (its URL or events); names the field."""

    code = "INVALID_WEBHOOK"
    http_status = 422
