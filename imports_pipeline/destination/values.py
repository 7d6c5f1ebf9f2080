"""A submitted frame's template columns as Arrow arrays of the destination's types.

Keys and staging both read the frame through this one conversion, so a value is
the same when it is hashed, compared and written. A template column absent from
the frame (an older dataset) is all nulls, like an unmapped column.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from imports_pipeline.templates.model import ColumnType, Template, TemplateColumn

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.DATE: pa.date32(),
    ColumnType.DATETIME: pa.timestamp("ms"),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
}


def arrow_type(column: TemplateColumn) -> pa.DataType:
    return _ARROW_TYPES.get(column.type, pa.string())


def typed_array(frame: pd.DataFrame, column: TemplateColumn) -> pa.Array:
    """One column in its destination type; dates drop the midnight time the engine gives them."""
    target = arrow_type(column)
    if column.key not in frame.columns:
        return pa.nulls(len(frame), target)
    values = pa.Array.from_pandas(frame[column.key])
    return values if values.type == target else pc.cast(values, target, safe=False)


def template_arrays(frame: pd.DataFrame, template: Template) -> dict[str, pa.Array]:
    return {column.key: typed_array(frame, column) for column in template.columns}
