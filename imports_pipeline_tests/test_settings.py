"""Settings: read from the environment in one place, and documented, every one, in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from imports_pipeline.settings import SETTINGS, Settings, environment_name

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_configuration() -> dict[str, str]:
    """Variable → default cell of the README's configuration table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.+?) \| .+ \|$", section, flags=re.MULTILINE)
    return dict(rows)


def test_the_readme_lists_every_setting_with_its_default() -> None:
    documented = readme_configuration()
    assert sorted(documented) == sorted(environment_name(name) for name in SETTINGS)
    for name in SETTINGS:
        default = Settings.model_fields[name].default
        if default is not None:
            assert str(default) in documented[environment_name(name)], name


def test_settings_come_from_their_variables_and_empty_ones_are_unset(tmp_path: Path) -> None:
    environ = {
        "IMPORTS_DATA_DIR": str(tmp_path),
        "IMPORTS_DATABASE_URL": "  ",
        "IMPORTS_MAX_UPLOAD_BYTES": "1000",
        "IMPORTS_WRITE_WORK_MEM": "64MB",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "UNRELATED": "x",
    }
    settings = Settings.from_environment(environ)
    assert settings.max_upload_bytes == 1000 and settings.write_work_mem == "64MB"
    assert settings.session_database_url == f"sqlite:///{tmp_path.resolve() / 'imports.db'}"
    assert settings.files_dir == tmp_path.resolve() / "files"
    assert settings.drops_root == tmp_path.resolve()
    assert settings.batches_path == tmp_path.resolve() / "batches.yaml"
    assert settings.dagster_home_dir == (tmp_path / "dagster").resolve()
    assert settings.came_from_environment("data_dir")
    assert not settings.came_from_environment("database_url")  # empty means unset


def test_overrides_win_over_the_environment_and_are_not_marked_as_from_it(tmp_path: Path) -> None:
    environ = {"IMPORTS_DATABASE_URL": "postgresql+psycopg://u:secret@db/imports"}
    settings = Settings.from_environment(environ, database_url=f"sqlite:///{tmp_path}/x.db")
    assert settings.session_database_url == f"sqlite:///{tmp_path}/x.db"
    assert not settings.came_from_environment("database_url")


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("IMPORTS_MAX_UPLOAD_BYTES", "lots", "max_upload_bytes"),
        ("IMPORTS_MAX_UPLOAD_BYTES", "0", "max_upload_bytes"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(variable: str, value: str, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings.from_environment({variable: value})


def test_the_postgresql_section_sets_every_variable_the_dagster_settings_read() -> None:
    """dagster.postgres.yaml reads its connection from env: keys: the README sets them."""
    dagster_settings = (README.parent / "dagster.postgres.yaml").read_text(encoding="utf-8")
    read = set(re.findall(r"env: (\w+)", dagster_settings))
    text = README.read_text(encoding="utf-8")
    start = text.index("## Running on PostgreSQL")
    section = text[start : text.index("\n## ", start + 1)]
    exported = set(re.findall(r"\b(\w+)=", section))
    assert read == {
        "DAGSTER_PG_HOST",
        "DAGSTER_PG_PORT",
        "DAGSTER_PG_USER",
        "DAGSTER_PG_PASSWORD",
        "DAGSTER_PG_DB",
    }
    assert read <= exported, read - exported
    assert {"IMPORTS_DATABASE_URL", "DAGSTER_HOME"} <= exported
