"""Every setting of the service in one object, and the one module that reads the environment.

The edges (the command line, the app factory, the Dagster code location) call
``Settings.from_environment()`` once and pass the object down; nothing below
them looks at ``os.environ``. An empty variable counts as unset, as shells
export them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

_MEMORY = re.compile(r"^\d+\s*(kB|MB|GB|TB)?$")
DATABASE_FORMS = (
    "sqlite:///PATH",
    "postgresql://…",
    "postgresql+psycopg://…",
    "postgresql+psycopg2://… (run with psycopg 3)",
)
DATABASE_SCHEMES = (
    "sqlite",
    "sqlite+pysqlite",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
)
"""The URL schemes the stores accept: the destination's COPY needs psycopg 3 on PostgreSQL."""


class Settings(BaseModel):
    """The service's settings.

    Each field's environment variable is ``IMPORTS_<FIELD>``, ``DAGSTER_HOME`` apart.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Field(
        default=Path("data"),
        description="SQLite database and the file store (uploads, session tables, hand-offs)",
    )
    database_url: str | None = Field(
        default=None,
        description="session store; default `sqlite:///$IMPORTS_DATA_DIR/imports.db`, "
        "e.g. `postgresql+psycopg://user:pass@host/db`",
    )
    destination_url: str | None = Field(
        default=None,
        description="where the per-template destination tables live; default: "
        "`$IMPORTS_DATA_DIR/destination.db` beside a SQLite session store, else the session "
        "store's database",
    )
    templates_dir: Path | None = Field(
        default=None,
        description="folder of your own template YAML files (same id as a built-in replaces it)",
    )
    max_upload_bytes: int = Field(
        default=250 * 1024 * 1024,
        gt=0,
        description="request bodies above this are refused with 413 before they are read (250 MB)",
    )
    max_rows: int = Field(
        default=5_000_000,
        gt=0,
        description="data rows one file may have; more are refused with 422 TOO_MANY_ROWS",
    )
    max_cell_chars: int = Field(
        default=32_767,
        gt=0,
        description="characters one cell may hold (Excel's own limit); longer is refused with "
        "422 CELL_TOO_LONG naming the column and row",
    )
    max_workbook_part_bytes: int = Field(
        default=1 << 30,
        gt=0,
        description="bytes one part of an .xlsx/.ods (a sheet's XML, the shared strings) may "
        "inflate to, counted while inflating, before any parser reads it; more is 422 "
        "WORKBOOK_TOO_LARGE",
    )
    max_workbook_part_ratio: float = Field(
        default=200,
        gt=1,
        description="inflated / compressed bytes one workbook part over 16 MB may have (real "
        "sheets: 5-30); a zip bomb is refused with 422 WORKBOOK_TOO_LARGE",
    )
    max_heavy_requests: int = Field(
        default=2,
        gt=0,
        description="uploads, validations and patches one API process runs at once; the next "
        "waits for a slot (see heavy_request_wait_seconds). Past two they only share the "
        "process's interpreter lock: four at once made each one slower and the whole slower too",
    )
    heavy_request_wait_seconds: float = Field(
        default=10.0,
        ge=0,
        description="how long a heavy request over the limit waits for a slot before it answers "
        "429 with Retry-After (0: at once)",
    )
    write_work_mem: str = Field(
        default="128MB",
        description="PostgreSQL `work_mem` for a destination write's transaction only: "
        "its joins hash a whole file's rows",
    )
    processing_timeout_minutes: int = Field(
        default=360,
        gt=0,
        description="an import still processing this long after its run started reads `timed_out`",
    )
    upload_link_minutes: int = Field(
        default=60, gt=0, description="how long an async upload URL can be used (once)"
    )
    report_link_minutes: int = Field(
        default=15, gt=0, description="how long a signed error-report download link works"
    )
    signing_secret: str | None = Field(
        default=None,
        repr=False,
        description="key of the signed links (upload URLs, report links); several hosts behind one "
        "address need the same; default: 32 random bytes made at first start and kept in the file "
        "store's folder (`signing.key`)",
    )
    drops_dir: Path | None = Field(
        default=None,
        description="holds the drop folders' `inbox/`, `processing/`, `processed/` and `failed/`; "
        "default: the data folder",
    )
    batches_file: Path | None = Field(
        default=None,
        description="scheduled batch imports; default `$IMPORTS_DATA_DIR/batches.yaml`",
    )
    dagster_url: str | None = Field(
        default=None,
        description="the Dagster webserver (e.g. `http://127.0.0.1:3000`): the API submits each "
        "import's run there as soon as it answers submit; unset, or while it is down, the "
        "`submitted_imports` sensor starts the run on its next tick (every 5 s at best)",
    )
    dagster_home: Path | None = Field(
        default=None,
        description="Dagster's instance folder for `imports-pipeline up`; "
        "default `$IMPORTS_DATA_DIR/dagster_home`",
    )

    set_by_environment: frozenset[str] = Field(
        default=frozenset(),
        exclude=True,
        repr=False,
        description="fields whose value came from their variable",
    )

    @field_validator("database_url", "destination_url")
    @classmethod
    def _supported_database(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and value.split("://", 1)[0] not in DATABASE_SCHEMES:
            raise ValueError(
                f"{environment_name(str(info.field_name))}: {value.split('://', 1)[0]!r} is not a "
                f"database this service writes; use one of {', '.join(DATABASE_FORMS)}"
            )
        return value

    @field_validator("write_work_mem")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        value = value.strip()
        if not _MEMORY.match(value):
            raise ValueError(
                f"{environment_name('write_work_mem')}={value!r} is not a PostgreSQL memory size "
                "such as 128MB or 1GB (units kB, MB, GB, TB)"
            )
        return value

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """The settings the environment gives (``environ``, by default the process's), then
        ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in SETTINGS:
            raw = environ.get(environment_name(name), "").strip()
            if raw:
                values[name] = raw
        by_environment = frozenset(set(values) - set(overrides))
        return cls.model_validate({**values, **overrides, "set_by_environment": by_environment})

    def came_from_environment(self, name: str) -> bool:
        """Whether the field was set by its variable.

        Dagster then shows the variable's name, never its value (a URL may hold a password).
        """
        return name in self.set_by_environment

    # --- what the settings mean, with their defaults filled in -------------------------

    @property
    def data_folder(self) -> Path:
        return self.data_dir.resolve()

    @property
    def files_dir(self) -> Path:
        return self.data_folder / "files"

    @property
    def session_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_folder / 'imports.db'}"

    @property
    def destination_file(self) -> Path:
        """The destination's own SQLite file, when no destination_url is set."""
        return self.data_folder / "destination.db"

    @property
    def drops_root(self) -> Path:
        return self.drops_dir or self.data_folder

    @property
    def batches_path(self) -> Path:
        return self.batches_file or self.data_folder / "batches.yaml"

    @property
    def dagster_home_dir(self) -> Path:
        return (self.dagster_home or self.data_folder / "dagster_home").resolve()

    def child_environment(self, **fields: Path | str) -> dict[str, str]:
        """This process's environment with ``fields`` set as their variables, for processes we
        start."""
        return {
            **os.environ,
            **{environment_name(name): str(value) for name, value in fields.items()},
        }


SETTINGS = tuple(name for name, field in Settings.model_fields.items() if not field.exclude)
"""The fields that are settings (each with its variable)."""


def environment_name(field: str) -> str:
    """The variable that sets ``field``."""
    return "DAGSTER_HOME" if field == "dagster_home" else f"IMPORTS_{field.upper()}"
