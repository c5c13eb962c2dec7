"""The Table Schema types: how the text of a CSV cell becomes a value, and what each client reads it as.

`TYPES` holds one `FieldType` per type the toolkit reads: its lexical grammar, and its polars,
pandas, Arrow, SQLite, R, Croissant and Hugging Face `datasets` counterparts. No other module maps
a type: the row models, the columnar engine (so `validate`), `load()`, the exporters, the generated
schemas and the discovery metadata all read them here, and tests/test_cells.py (tests/test_discovery.py
for mlcroissant and `datasets`) holds every client, `scripts/read_newsfacts.R` included, to them.
The grammar is read two ways, both here: a cell at a time in Python (`parse_integer`,
`parse_date`: the row models) and a column at a time in pyarrow (`typed`: the engine and `load()`).

The grammar is written from the Table Schema spec
(https://datapackage.org/standard/table-schema/#field-types), not from what Python's `int()` or
`date.fromisoformat()` happen to accept:

- integer: an optional sign, then ASCII digits: no blanks, no `_`, no `.0`, no exponent. The
  toolkit's integers are 64-bit (pandas `Int64`, SQLite and Parquet `int64`); a longer one is
  refused rather than read as something else.
- date: `YYYY-MM-DD`, a real calendar day of the years 0001-9999.
- number: decimal or exponent notation, `NaN`, `INF` or `-INF`.
- boolean: the field's `trueValues` and `falseValues`, or the spec's defaults.
- string: the cell as written; with an `enum`, one of its values, read as a category.

An empty cell is the package's only missing value. Where frictionless-py accepts more (` 5`,
`1_000`, `2024-9-1`), the spec wins; tests/test_engine.py lists each such deviation.

Nothing heavy is imported here: pandas and pyarrow are imported by the functions that use them,
so that `newsfacts --help` stays fast, and polars not at all, so that `load()` needs only
`pip install newsfacts`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# Unanchored, so each reading anchors them its own way: Python's `$` also matches before a
# trailing newline, so Python uses `fullmatch`; pyarrow's (RE2) `$` is the end of the text.
INTEGER_PATTERN = r"[+-]?[0-9]+"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|INF|-INF"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DATE_FORMAT = "%Y-%m-%d"
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class FieldType:
    """One Table Schema type: how its cells are written, and the type each client reads them as.

    The counterparts are names, so that this module imports no data library: each is what that
    library calls the type (tests/test_cells.py reads a column of every type with each client
    and compares).
    """

    name: str  # the Table Schema `type`
    pattern: str | None  # the cells' lexical grammar (unanchored); None where any text, or a list, is the grammar
    expected: str  # what a cell of the type looks like, for messages that say how to write one
    ordered: bool  # whether `minimum` and `maximum` apply
    json_type: str  # the JSON Schema `type` of a model field of this type ...
    json_format: str | None  # ... and its `format`
    format: str | None  # the Table Schema `format` that `build` writes (only "default" is read)
    polars: str  # the polars dtype of the engine's typed column (`pl.<polars>`)
    pandas: str  # the pandas dtype of `load()`'s column
    arrow: str  # the Arrow type `typed` reads a cell as, and of the Parquet column (`pa.type_for_alias(<arrow>)`)
    sqlite: str  # the SQLite column type
    r: str  # the R class of `read_newsfacts()`'s column
    croissant: str  # the Croissant `dataType` of the field (croissant.json), a schema.org type
    datasets: str  # the Hugging Face `datasets` feature dtype (`Value(<datasets>)`) of the dataset card

    @property
    def converts(self) -> bool:
        """Whether a cell is read into a value other than its text, and so may not read at all."""
        return self.polars != "String"


STRING = FieldType(
    name="string",
    pattern=None,
    expected="a string",
    ordered=False,
    json_type="string",
    json_format=None,
    format=None,
    polars="String",
    pandas="string",
    arrow="string",
    sqlite="TEXT",
    r="character",
    croissant="sc:Text",
    datasets="string",
)
# A string field with an `enum` constraint: a category, with the enum's values in the schema's
# order as the categories, used or not, in every client.
ENUM = FieldType(
    name="string",
    pattern=None,
    expected="one of the enum's values",
    ordered=False,
    json_type="string",
    json_format=None,
    format=None,
    polars="String",
    pandas="category",
    arrow="dictionary",  # int32 indices into the enum's values; see `arrow_type`
    sqlite="TEXT",
    r="factor",
    croissant="sc:Text",
    datasets="string",
)
INTEGER = FieldType(
    name="integer",
    pattern=INTEGER_PATTERN,
    expected="an integer: an optional sign and digits (e.g. 83), within 64 bits",
    ordered=True,
    json_type="integer",
    json_format=None,
    format=None,
    polars="Int64",
    pandas="Int64",
    arrow="int64",
    sqlite="INTEGER",
    r="integer",  # R's integers are 32-bit: read_newsfacts.R stops at a larger one
    croissant="sc:Integer",
    datasets="int64",
)
NUMBER = FieldType(
    name="number",
    pattern=NUMBER_PATTERN,
    expected="a number (e.g. 1.5, -2e3)",
    ordered=True,
    json_type="number",
    json_format=None,
    format=None,
    polars="Float64",
    pandas="Float64",
    arrow="double",
    sqlite="REAL",
    r="numeric",
    croissant="sc:Float",
    datasets="float64",
)
BOOLEAN = FieldType(
    name="boolean",
    pattern=None,
    expected="a boolean: true or false",
    ordered=False,
    json_type="boolean",
    json_format=None,
    format=None,
    polars="Boolean",
    pandas="boolean",
    arrow="bool",
    sqlite="INTEGER",
    r="logical",
    croissant="sc:Boolean",
    datasets="bool",
)
DATE = FieldType(
    name="date",
    pattern=DATE_PATTERN,
    expected="a date: write YYYY-MM-DD, e.g. 2024-09-10",
    ordered=True,
    json_type="string",
    json_format="date",
    format="default",
    polars="Date",
    pandas="datetime64[us]",
    arrow="date32",
    sqlite="TEXT",  # ISO 8601 text: SQLite has no date type (`plain_values`)
    r="Date",
    croissant="sc:Date",
    datasets="date32",
)
# The types the grammar reads, by name; a field of any other type is refused by every reader.
TYPES: dict[str, FieldType] = {kind.name: kind for kind in (STRING, INTEGER, NUMBER, BOOLEAN, DATE)}

_INTEGER = re.compile(INTEGER_PATTERN)
_DATE = re.compile(DATE_PATTERN)


# Lists in a cell (`aliases`, `authors`, `co_speaker_ids`) are `;`-separated strings, so that every client
# reads them as plain text (Table Schema v1 has no list type).
LIST_SEPARATOR = ";"


def split_list(value: str | None) -> list[str]:
    """The items of a `;`-separated cell; none for an empty cell."""
    return value.split(LIST_SEPARATOR) if value else []


def field_type(field: Mapping[str, Any]) -> FieldType | None:
    """The type of a Table Schema field, ENUM for a string with an enum; None for a type not in TYPES."""
    name = field.get("type", "string")
    kind = TYPES.get(name) if isinstance(name, str) else None
    constraints = field.get("constraints")
    return ENUM if kind is STRING and isinstance(constraints, dict) and "enum" in constraints else kind


def read_as(field: Mapping[str, Any]) -> FieldType:
    """The type a field's cells are read as: one not in TYPES as a string. (`load()` refuses such a
    field, and `validate` reports a descriptor that `build` did not write.)"""
    return field_type(field) or STRING


def from_json_schema(branch: Mapping[str, Any]) -> FieldType:
    """The type of a model field, from (the non-null branch of) pydantic's JSON Schema of it."""
    found = [
        kind
        for kind in TYPES.values()
        if kind.json_type == branch.get("type") and kind.json_format in (None, branch.get("format"))
    ]
    if not found:
        raise ValueError(f"unsupported JSON type in {dict(branch)!r}")
    # The most specific: a date is a string with a format.
    return max(found, key=lambda kind: kind.json_format is not None)


class CellError(ValueError):
    """A cell that is not a value of its type; pydantic reports a ValueError as a validation error."""


def parse_integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise CellError(misread(text, INTEGER))
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise CellError(f"{text!r} is beyond the 64-bit integers")
    return value


# A date written day and month first, or month first (10/09/2024, 10.09.2024): both readings are offered.
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_UNPADDED_DATE = re.compile(r"([0-9]{4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})")  # 2024-9-1, 2024/09/01


def _rewritten(text: str) -> str | None:
    """`text` as YYYY-MM-DD, when it is a year, month and day written otherwise: unpadded or with
    slashes, or day and month first (the day-first reading, and the month-first one where that is
    another calendar day)."""
    unpadded = _UNPADDED_DATE.fullmatch(text.strip())
    if unpadded:
        year, month, day = (int(part) for part in unpadded.groups())
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return None
    found = _NUMERIC_DATE.fullmatch(text.strip())
    if not found:
        return None
    first, second, year = (int(part) for part in found.groups())
    readings = []
    for day, month in ((first, second), (second, first)):
        try:
            readings.append(datetime.date(year, month, day).isoformat())
        except ValueError:
            continue
    if not readings:
        return None
    if len(readings) == 2 and readings[0] != readings[1]:
        return f"{readings[0]} (or {readings[1]} if the month came first)"
    return readings[0]


def misread(text: str, kind: FieldType) -> str:
    """What is wrong with a cell that does not read as `kind`, said as how to write it: the type's
    `expected`, with a date's example rewritten from the cell when it is a date written otherwise."""
    rewritten = _rewritten(text) if kind is DATE else None
    return f"{text!r} is not {kind.expected if rewritten is None else f'a date: write YYYY-MM-DD, e.g. {rewritten}'}"


def parse_date(text: str) -> datetime.date:
    if not _DATE.fullmatch(text):
        raise CellError(misread(text, DATE))
    try:
        return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError as error:  # 2024-02-30, or the year 0000
        raise CellError(f"{text!r} is not a calendar date: {error}") from error


def integer_cell(value: Any) -> Any:
    """A pydantic before-validator: a CSV cell is read by the grammar; an int from JSON stays, a float does not."""
    if isinstance(value, str):
        return parse_integer(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CellError(f"{value!r} is not an integer")
    return value


def date_cell(value: Any) -> Any:
    """A pydantic before-validator: a date is only ever written YYYY-MM-DD; None is a missing date."""
    if isinstance(value, str):
        return parse_date(value)
    if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return value
    raise CellError(f"{value!r} is not a date")


def bound(value: Any, field: Mapping[str, Any]) -> Any:
    """A field's `minimum` or `maximum` as a value of its type: JSON has no dates, so a date's is its text."""
    return parse_date(value) if read_as(field) is DATE else value


def typed(column: pa.ChunkedArray, field: Mapping[str, Any]) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """A column of cells (null where empty) as the field's Arrow type, and where each present cell reads.

    The value is null where the cell is missing or does not read. This is the one columnar reading
    of the grammar: the engine (so `validate`) types its columns with it, and `load()` its tables,
    with pyarrow only, so that `pip install newsfacts` reads exactly what the toolkit validates.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = read_as(field)
    if kind is INTEGER:
        value = _cast(pc.replace_substring_regex(_written(column, INTEGER_PATTERN), r"^\+", ""), kind, parse_integer)
    elif kind is DATE:
        value = _cast(_written(column, DATE_PATTERN, but_not="0000"), kind, parse_date)
    elif kind is NUMBER:
        value = _cast(_written(column, NUMBER_PATTERN), kind, float)
    elif kind is BOOLEAN:
        true_values = pa.array(list(field.get("trueValues", DEFAULT_TRUE_VALUES)), pa.string())
        false_values = pa.array(list(field.get("falseValues", DEFAULT_FALSE_VALUES)), pa.string())
        otherwise = pc.if_else(pc.is_in(column, false_values), False, pa.scalar(None, pa.bool_()))
        value = pc.if_else(pc.is_in(column, true_values), True, otherwise)
    else:
        value = column
    return value, pc.or_(pc.is_null(column), pc.is_valid(value))


def _written(column: pa.ChunkedArray, pattern: str, but_not: str | None = None) -> pa.ChunkedArray:
    """The cells written as `pattern` (anchored at both ends of the text, as Python's `fullmatch`),
    except those starting with `but_not`; null elsewhere."""
    import pyarrow as pa
    import pyarrow.compute as pc

    written = pc.match_substring_regex(column, f"^(?:{pattern})$")
    if but_not is not None:
        written = pc.and_(written, pc.invert(pc.starts_with(column, but_not)))
    return pc.if_else(written, column, pa.scalar(None, column.type))


def _cast(cells: pa.ChunkedArray, kind: FieldType, parse: Callable[[str], Any]) -> pa.ChunkedArray:
    """Cells written as `kind`'s grammar, as its values.

    Arrow's cast refuses a whole column at one cell that is written right but is no value (a
    2023-02-29, an integer beyond 64 bits): such a column is read a cell at a time by the
    grammar's Python reading (`parse`), where that cell is null.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    target = pa.type_for_alias(kind.arrow)
    try:
        return pc.cast(cells, target)
    except pa.ArrowInvalid:
        return pa.chunked_array([pa.array([_or_none(parse, cell) for cell in cells.to_pylist()], target)], target)


def _or_none(parse: Callable[[str], Any], cell: str | None) -> Any:
    if cell is None:
        return None
    try:
        return parse(cell)
    except ValueError:  # CellError is one
        return None


def to_pandas(column: pa.ChunkedArray, field: Mapping[str, Any]) -> pd.Series:
    """A column `typed` as the pandas dtype `load()` promises: exactly, with missing values as NA."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = read_as(field)
    name = field["name"]
    if kind is ENUM:
        return pd.Series(pd.Categorical(column.to_pylist(), categories=field["constraints"]["enum"]), name=name)
    if kind is DATE:
        return pd.Series(column.cast(pa.timestamp("us")).to_pandas(), name=name)
    if kind is NUMBER:
        # The mask, not NaN, says what is missing: a cell `NaN` is a number, an empty cell is not.
        values = pd.arrays.FloatingArray(pc.fill_null(column, 0.0).to_numpy(), pc.is_null(column).to_numpy())
        return pd.Series(values, name=name)
    # Through Python values: a 64-bit integer through float64 would lose its last digits.
    return pd.Series(column.to_pylist(), dtype=kind.pandas, name=name)


def arrow_type(field: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type of a field's Parquet column."""
    import pyarrow as pa

    kind = read_as(field)
    if kind is ENUM:
        # The categories keep the schema's order because the dictionary is written whole, used or not.
        return pa.dictionary(pa.int32(), pa.string())
    return pa.type_for_alias(kind.arrow)


def plain_values(column: pd.Series, field: Mapping[str, Any]) -> list[Any]:
    """A column of `load()`'s frame as plain Python values, as SQLite and JSON store them: dates as
    ISO 8601 text, missing as None."""
    import pandas as pd

    if read_as(field) is DATE:
        column = column.dt.strftime(DATE_FORMAT)
    return [None if pd.isna(value) else value for value in column.tolist()]
