"""Signed, expiring tokens for links that work without API-key headers (an async upload URL, an
error report's download link).

The key is 32 random bytes kept in the file store's folder (``signing.key``), made on first use,
so every API worker that shares the folder signs and checks alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from imports_pipeline.errors import (
    DownloadLinkExpiredError,
    InvalidSignedLinkError,
    SignedLinkExpiredError,
)

KEY_FILE = "signing.key"


class Signer:
    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def configured(cls, secret: str | None, folder: Path) -> Signer:
        """The ``signing_secret`` setting's key when one is set (several hosts share it), else
        the folder's."""
        return cls(secret.encode()) if secret else cls.in_folder(folder)

    @classmethod
    def in_folder(cls, folder: Path) -> Signer:
        """The folder's key, made (readable by its owner only) the first time."""
        path = folder / KEY_FILE
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{KEY_FILE}.{secrets.token_hex(4)}.tmp")
            temporary.write_bytes(secrets.token_bytes(32))
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)  # the first writer wins; the others read its key
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        return cls(path.read_bytes())

    def sign(self, purpose: str, subject: str, expires_at: datetime) -> str:
        payload = json.dumps({"p": purpose, "s": subject, "e": expires_at.isoformat()}).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._mac(body)}"

    def verify(self, purpose: str, token: str, now: datetime) -> str:
        """The subject the token was signed for; refused when forged, for another purpose, or
        past its time."""
        body, _, mac = token.partition(".")
        expected = self._mac(body).encode()
        if not mac or not hmac.compare_digest(mac.encode("utf-8", "replace"), expected):
            raise InvalidSignedLinkError("This link is not one the service signed")
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            subject, expires_at = str(payload["s"]), datetime.fromisoformat(payload["e"])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidSignedLinkError("This link is not one the service signed") from error
        if payload.get("p") != purpose:
            raise InvalidSignedLinkError(f"This link is not a {purpose} link")
        if expires_at <= now:
            raise SignedLinkExpiredError(
                f"This link expired at {expires_at.isoformat()}; ask for a new one"
            )
        return subject

    def signature(self, purpose: str, subject: str, expires: int) -> str:
        """An HMAC-SHA256 of what a link's query cannot change unnoticed: its purpose, its
        subject and its expiry (Unix seconds)."""
        return self._mac(f"{purpose}\n{subject}\n{expires}")

    def check(
        self, purpose: str, subject: str, expires: int, signature: str, now: datetime
    ) -> None:
        """Refuse (403) a signature that does not match, in constant time, then an expired one."""
        expected = self.signature(purpose, subject, expires).encode()
        if not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            raise InvalidSignedLinkError(
                "This download link is not one the service signed, or was changed"
                " (its session, format, expiry or signature); ask for a new one"
            )
        if expires <= unix_seconds(now):
            moment = datetime.fromtimestamp(expires, UTC).isoformat()
            raise DownloadLinkExpiredError(
                f"This download link expired at {moment}; ask for a new one"
            )

    def _mac(self, body: str) -> str:
        digest = hmac.new(self.key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unix_seconds(moment: datetime) -> int:
    """``moment`` as Unix seconds; a naive one is UTC, as the service's clock gives it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())
