"""The template model: what a target table looks like and what its cells may hold.

Templates are declarative (YAML, see ``specs/``); this module is their typed
shape. The engine reads templates only through these classes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ColumnType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    EMAIL = "email"
    CATEGORY = "category"


class Option(BaseModel):
    """One selectable value of a category column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    label: str
    aliases: tuple[str, ...] = ()


class TemplateColumn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: ColumnType = ColumnType.STRING
    description: str | None = None
    required: bool = False
    default: Any = None
    unique: bool = False
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    max_length: int | None = Field(default=None, ge=1)
    format: str | None = None
    """Explicit ``strptime`` format for date/datetime columns; wins over detection."""
    options: tuple[Option, ...] | None = None
    options_source: str | None = None
    aliases: tuple[str, ...] = ()

    @field_validator("options", mode="before")
    @classmethod
    def _options_may_be_plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [
                v if isinstance(v, (dict, Option)) else {"value": str(v), "label": str(v)}
                for v in value
            ]
        return value

    @model_validator(mode="after")
    def _category_needs_options(self) -> TemplateColumn:
        if self.type is ColumnType.CATEGORY:
            if (self.options is None) == (self.options_source is None):
                raise ValueError(
                    f"category column '{self.key}' needs exactly one of "
                    "'options' or 'options_source'"
                )
        elif self.options is not None or self.options_source is not None:
            raise ValueError(
                f"column '{self.key}' has options but is of type '{self.type}', not 'category'"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"column '{self.key}': min {self.min} is greater than max {self.max}")
        return self


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    key_columns: tuple[str, ...] = ()
    """The natural key: used for dedupe within a file and upsert into the destination."""
    columns: tuple[TemplateColumn, ...]

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Template:
        keys = [c.key for c in self.columns]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise ValueError(f"duplicate column keys: {', '.join(duplicated)}")
        unknown = [k for k in self.key_columns if k not in keys]
        if unknown:
            raise ValueError(f"key_columns name unknown columns: {', '.join(unknown)}")
        return self

    def column(self, key: str) -> TemplateColumn:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def required_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.required]
