"""The signing key: the configured secret when there is one, else a key made once and kept in the
file store's folder, so restarts and every worker sharing the folder accept the same links."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from imports_pipeline.errors import DownloadLinkExpiredError, InvalidSignedLinkError
from imports_pipeline.settings import Settings
from imports_pipeline.store.signing import KEY_FILE, Signer, unix_seconds
from imports_pipeline.store.stores import Stores

NOW = datetime(2026, 4, 8, 14, 0, 0)


def test_without_a_secret_the_key_is_made_at_first_start_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = Stores.open(settings).signer
    key_file = settings.files_dir / KEY_FILE
    assert key_file.read_bytes() == first.key and len(first.key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = Stores.open(settings).signer  # a restart, or another worker
    signature = first.signature("error_report", "id/xlsx", 1_900_000_000)
    again.check("error_report", "id/xlsx", 1_900_000_000, signature, NOW)


def test_a_configured_secret_signs_alike_on_every_host(tmp_path: Path) -> None:
    one = Stores.open(Settings(data_dir=tmp_path / "a", signing_secret="s3cret")).signer
    other = Stores.open(Settings(data_dir=tmp_path / "b", signing_secret="s3cret")).signer
    assert not (tmp_path / "a" / "files" / KEY_FILE).exists()
    signature = one.signature("error_report", "id/csv", 1_900_000_000)
    other.check("error_report", "id/csv", 1_900_000_000, signature, NOW)
    with pytest.raises(InvalidSignedLinkError):
        Signer(b"another").check("error_report", "id/csv", 1_900_000_000, signature, NOW)


def test_a_signature_covers_purpose_subject_and_expiry() -> None:
    signer = Signer(b"k")
    expires = unix_seconds(NOW) + 60
    signature = signer.signature("error_report", "id/csv", expires)
    for purpose, subject, when in (
        ("upload", "id/csv", expires),
        ("error_report", "id/json", expires),
        ("error_report", "id/csv", expires + 1),
    ):
        with pytest.raises(InvalidSignedLinkError):
            signer.check(purpose, subject, when, signature, NOW)
    with pytest.raises(DownloadLinkExpiredError, match="expired at 2026-04-08T14:01:00"):
        signer.check("error_report", "id/csv", expires, signature, datetime(2026, 4, 8, 14, 1))


def test_the_secret_never_shows_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(Settings(signing_secret="s3cret"))
