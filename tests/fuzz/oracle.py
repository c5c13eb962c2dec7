"""The strict reading that `load()` must agree with whenever `validate` calls a package valid.

The tables are the nine CSVs at the paths the pristine descriptor gives, read with the `csv`
module (strict, RFC 4180 as `newsfacts build` writes them) and typed by the pristine Table
Schemas with the Table Schema grammar: integers `^[+-]?[0-9]+$`, dates `YYYY-MM-DD` naming a
real day, an enum value one of the schema's, and an empty cell missing (no other spelling).
The pristine schemas, not the package's own descriptor, are the yardstick: a mutated descriptor
that retypes a field or points a resource elsewhere changes what `load()` returns, and a
validate that passes it is exactly what this check exists to catch.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INTEGER = re.compile(r"[+-]?[0-9]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StrictReadError(Exception):
    """A file of a package that validate passed, which the strict reading rejects."""


@dataclass(frozen=True)
class StrictTable:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def typed_cell(cell: str, field: dict[str, Any]) -> Any:
    if cell == "":
        return None
    kind = field.get("type", "string")
    if kind == "integer":
        if not INTEGER.fullmatch(cell):
            raise StrictReadError(f"field {field['name']}: {cell[:40]!r} is not an integer")
        return int(cell)
    if kind == "date":
        if not ISO_DATE.fullmatch(cell):
            raise StrictReadError(f"field {field['name']}: {cell[:40]!r} is not YYYY-MM-DD")
        try:
            return datetime.date.fromisoformat(cell)
        except ValueError as error:
            raise StrictReadError(f"field {field['name']}: {cell!r}: {error}") from error
    enum = field.get("constraints", {}).get("enum")
    if enum is not None and cell not in enum:
        raise StrictReadError(f"field {field['name']}: {cell[:40]!r} is not one of {enum}")
    return cell


def strict_tables(package_dir: Path, resources: list[dict[str, Any]]) -> dict[str, StrictTable]:
    tables = {}
    for resource in resources:
        path = package_dir / resource["path"]
        try:
            text = path.read_bytes().decode("utf-8")
            rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise StrictReadError(f"{resource['path']}: {error}") from error
        fields = resource["schema"]["fields"]
        names = [field["name"] for field in fields]
        if not rows or rows[0] != names:
            raise StrictReadError(f"{resource['path']}: header {rows[0] if rows else None} is not {names}")
        typed = []
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(fields):
                raise StrictReadError(f"{resource['path']} line {line}: {len(row)} cells, {len(fields)} fields")
            try:
                typed.append(tuple(typed_cell(cell, field) for cell, field in zip(row, fields, strict=True)))
            except StrictReadError as error:
                raise StrictReadError(f"{resource['path']} line {line}: {error}") from error
        tables[resource["name"]] = StrictTable(names, typed)
    return tables


def plain_value(value: Any) -> Any:
    """A loaded cell as a plain Python value: missing as None, a midnight timestamp as its date."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def loaded_table(frame: Any) -> StrictTable:
    columns = [str(column) for column in frame.columns]
    values = [[plain_value(value) for value in frame[column].tolist()] for column in frame.columns]
    return StrictTable(columns, list(zip(*values, strict=True)) if values else [])


def first_difference(expected: dict[str, StrictTable], loaded: dict[str, Any]) -> str | None:
    """Where `load()`'s frames differ from the strict reading, or None when they hold the same values."""
    if sorted(loaded) != sorted(expected):
        return f"tables {sorted(loaded)} are not {sorted(expected)}"
    for name, table in expected.items():
        got = loaded_table(loaded[name])
        if got.columns != table.columns:
            return f"{name}: columns {got.columns} are not {table.columns}"
        if len(got.rows) != len(table.rows):
            return f"{name}: {len(got.rows)} rows, the CSV has {len(table.rows)}"
        for line, (got_row, want_row) in enumerate(zip(got.rows, table.rows, strict=True), start=2):
            for column, got_value, want_value in zip(table.columns, got_row, want_row, strict=True):
                if got_value != want_value or type(got_value) is not type(want_value):
                    return f"{name} line {line} {column}: load() gives {got_value!r}, the CSV says {want_value!r}"
    return None
