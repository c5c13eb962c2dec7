"""The one cell grammar: how the text of a CSV cell becomes a value of its Table Schema type.

Written from the Table Schema spec (https://datapackage.org/standard/table-schema/#field-types),
not from what Python's `int()` or `date.fromisoformat()` happen to accept:

- integer: an optional sign, then ASCII digits: no blanks, no `_`, no `.0`, no exponent. The
  toolkit's integers are 64-bit (pandas `Int64`, SQLite and Parquet `int64`); a longer one is
  refused rather than read as something else.
- date: `YYYY-MM-DD`, a real calendar day of the years 0001-9999.
- number: decimal or exponent notation, `NaN`, `INF` or `-INF`.
- boolean: the field's `trueValues` and `falseValues`, or the spec's defaults.
- string: the cell as written.

An empty cell is the package's only missing value. Every reader of the toolkit goes through
this module: the row models (so `build`), the columnar engine (so `validate`), `load()` and so
`export`; `scripts/read_newsfacts.R` uses the same patterns (tests/test_cells.py holds it to
them). Where frictionless-py accepts more (` 5`, `1_000`, `2024-9-1`), the spec wins;
tests/test_engine.py lists each such deviation.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

# Unanchored, so each engine anchors them its own way: Python's `$` also matches before a
# trailing newline, so Python uses `fullmatch`; polars' (Rust) `$` is the end of the text.
INTEGER_PATTERN = r"[+-]?[0-9]+"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|INF|-INF"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DATE_FORMAT = "%Y-%m-%d"
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")
# What each type's cells look like, for messages that say how to write a value.
EXPECTED = {
    "integer": "an integer: an optional sign and digits (e.g. 83), within 64 bits",
    "date": "a date written YYYY-MM-DD (e.g. 2024-09-10)",
    "number": "a number (e.g. 1.5, -2e3)",
    "boolean": "a boolean",
}
# The types the grammar reads; a field of any other type is refused by every reader.
TYPES = ("string", "integer", "number", "boolean", "date")

_INTEGER = re.compile(INTEGER_PATTERN)
_DATE = re.compile(DATE_PATTERN)


class CellError(ValueError):
    """A cell that is not a value of its type; pydantic reports a ValueError as a validation error."""


def parse_integer(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise CellError(f"{text!r} is not {EXPECTED['integer']}")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise CellError(f"{text!r} is beyond the 64-bit integers")
    return value


def parse_date(text: str) -> datetime.date:
    if not _DATE.fullmatch(text):
        raise CellError(f"{text!r} is not {EXPECTED['date']}")
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


def typed(column: pl.Expr, field: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
    """A column of cells (null where empty) as the field's type, and where each present cell reads.

    The value is null where the cell is missing or does not read.
    """
    import polars as pl

    kind = field.get("type", "string")
    if kind == "integer":
        digits = pl.when(column.str.contains(f"^(?:{INTEGER_PATTERN})$")).then(column.str.strip_prefix("+"))
        # A cast that overflows 64 bits gives null: such a cell does not read.
        value = digits.cast(pl.Int64, strict=False)
    elif kind == "date":
        written = column.str.contains(f"^(?:{DATE_PATTERN})$") & ~column.str.starts_with("0000")
        value = pl.when(written).then(column).str.to_date(DATE_FORMAT, strict=False)
    elif kind == "number":
        value = pl.when(column.str.contains(f"^(?:{NUMBER_PATTERN})$")).then(column).cast(pl.Float64, strict=False)
    elif kind == "boolean":
        true_values = list(field.get("trueValues", DEFAULT_TRUE_VALUES))
        false_values = list(field.get("falseValues", DEFAULT_FALSE_VALUES))
        value = pl.when(column.is_in(true_values)).then(True).when(column.is_in(false_values)).then(False)
    else:
        value = column
    return value, column.is_null() | value.is_not_null()
