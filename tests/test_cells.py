"""The Table Schema types (cells.py), as every reader applies them: the row models, the engine, load(), the
exporters and R.

Each case is a cell at the edge of its type's grammar and the value it reads as, or None where the
spec refuses it. Every reader must agree with the table, and every client must read each type as
the type's `FieldType` says.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from newsfacts import NewsfactsError, load_table
from newsfacts.cells import (
    BOOLEAN,
    DATE,
    DEFAULT_FALSE_VALUES,
    DEFAULT_TRUE_VALUES,
    ENUM,
    INTEGER,
    NUMBER,
    STRING,
    TYPES,
    CellError,
    FieldType,
    parse_date,
    parse_integer,
    typed,
)
from newsfacts.exporters.parquet import export_parquet
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.models import Event, Quote

from .conftest import ROOT, require_r_loader, write_package
from .test_r_loader import rscript

INTEGERS: list[tuple[str, int | None]] = [
    ("83", 83),
    ("+83", 83),
    ("-83", -83),
    ("-0", 0),
    ("0083", 83),
    ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)),
    ("9223372036854775808", None),
    ("-9223372036854775809", None),
    (" 83", None),
    ("83 ", None),
    ("8_3", None),
    ("83.0", None),
    ("8.3e1", None),
    ("1e3", None),
    ("+", None),
    ("--1", None),
    ("0x53", None),
    ("\u0668\u0663", None),  # Arabic-Indic 83: Python's int() reads it
    ("\uff18\uff13", None),  # fullwidth 83
    ("83\n", None),  # Python's `$` would match before the line break
]
DATES: list[tuple[str, datetime.date | None]] = [
    ("2024-09-10", datetime.date(2024, 9, 10)),
    ("2024-02-29", datetime.date(2024, 2, 29)),
    ("0001-01-01", datetime.date(1, 1, 1)),
    ("9999-12-31", datetime.date(9999, 12, 31)),
    ("2023-02-29", None),
    ("2024-02-30", None),
    ("2024-13-01", None),
    ("0000-01-01", None),
    ("2024-9-1", None),
    ("2024-09-1", None),
    (" 2024-09-10", None),
    ("2024-09-10 ", None),
    ("+2024-09-10", None),
    ("20240910", None),
    ("2024-09-10T00:00", None),
    ("2024/09/10", None),
    ("\u0662\u0660\u0662\u0664-09-10", None),
    ("2024-09-10\n", None),
]
BOOLEANS: list[tuple[str, bool | None]] = [
    *((cell, True) for cell in DEFAULT_TRUE_VALUES),
    *((cell, False) for cell in DEFAULT_FALSE_VALUES),
    ("yes", None),
    ("tRUE", None),
    (" true", None),
    ("1.0", None),
]


@pytest.mark.parametrize(("cell", "value"), INTEGERS)
def test_integers(cell: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(CellError):
            parse_integer(cell)
    else:
        assert parse_integer(cell) == value
    assert _columnar(cell, {"type": "integer"}) == value
    # Offsets are at least 0 (a constraint of the model, not of the grammar).
    assert _row_model_integer(cell) == (value if value is None or value >= 0 else None)


@pytest.mark.parametrize(("cell", "value"), DATES)
def test_dates(cell: str, value: datetime.date | None) -> None:
    if value is None:
        with pytest.raises(CellError):
            parse_date(cell)
    else:
        assert parse_date(cell) == value
    assert _columnar(cell, {"type": "date"}) == value
    assert _row_model_date(cell) == value


@pytest.mark.parametrize(("cell", "value"), BOOLEANS)
def test_booleans(cell: str, value: bool | None) -> None:
    assert _columnar(cell, {"type": "boolean"}) == value


def _columnar(cell: str, field: dict[str, Any]) -> Any:
    """The cell as the engine and load() read it, a column at a time (`typed`); alone in its column,
    and beside a value that reads, since Arrow's cast refuses a whole column at one bad cell."""
    values = []
    for neighbour in ([], ["0001-01-01" if field["type"] == "date" else "1"]):
        value, reads = typed(pa.chunked_array([[cell, *neighbour]], pa.string()), field)
        read, valid = value[0].as_py(), reads[0].as_py()
        assert valid == (read is not None)
        values.append(read)
    assert values[0] == values[1]
    return values[0]


def _row_model_integer(cell: str) -> int | None:
    row = {
        "quote_id": "q-000-01",
        "article_id": "art-000",
        "speaker_id": "someone",
        "speaker_as_printed": "Someone",
        "text": "Words",
        "char_start": cell,
        "char_end": "9223372036854775807",
        "quote_type": "full",
        "utterance_id": "u-words",
    }
    try:
        return Quote.model_validate(row).char_start
    except ValidationError as error:
        assert [detail["loc"] for detail in error.errors()] == [("char_start",)]
        return None


def _row_model_date(cell: str) -> datetime.date | None:
    row = {
        "event_id": "ev-x",
        "event_type": "statement",
        "status": "occurred",
        "start_date": cell,
        "end_date": None,
        "date_precision": "day",
        "date_basis": "stated",
        "date_note": None,
        "description": "Something.",
        "location": None,
    }
    try:
        return Event.model_validate(row).start_date
    except ValidationError as error:
        assert ("start_date",) in [detail["loc"] for detail in error.errors()]
        return None


def test_json_numbers_that_are_not_integers_are_refused() -> None:
    # A JSON table holding 83.0 would pass pydantic's lax mode; JSON readers would see a float.
    for value in (83.0, True, "83.0"):
        assert _row_model_integer(value) is None  # type: ignore[arg-type]


def _one_table(directory: Path, cells: list[str], kind: str) -> Path:
    """A package of one table, `cell`, of this type, with these cells in rows (each quoted, so that
    a blank or a line break stays in its cell); its descriptor."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([["cell"], *([cell] for cell in cells)])
    return write_package(directory, [{"name": "cell", "type": kind}], buffer.getvalue())


@pytest.mark.parametrize(("kind", "cases"), [("integer", INTEGERS), ("date", DATES), ("boolean", BOOLEANS)])
def test_load_reads_every_cell_as_the_grammar_does(kind: str, cases: list[tuple[str, Any]], tmp_path: Path) -> None:
    valid = [(cell, value) for cell, value in cases if value is not None]
    frame = load_table("table", _one_table(tmp_path / "valid", [cell for cell, _ in valid], kind))
    read = [value.date() if kind == "date" else value for value in frame["cell"].tolist()]
    assert read == [value for _, value in valid]
    for index, (cell, _) in enumerate(case for case in cases if case[1] is None):
        with pytest.raises(NewsfactsError) as caught:
            load_table("table", _one_table(tmp_path / f"invalid-{index}", [cell], kind))
        assert caught.value.code == "type-error", cell


EPOCH = datetime.date(1970, 1, 1)
# For each package directory: the values R reads, or "error".
R_READ_ALL = """
source("scripts/read_newsfacts.R")
directories <- commandArgs(trailingOnly = TRUE)
read_one <- function(directory) tryCatch({
  column <- read_newsfacts(directory)$table$cell
  # Dates as days since 1970-01-01: R prints the year 1 as "1".
  if (inherits(column, "Date")) as.character(as.numeric(column)) else as.character(column)
}, error = function(e) "error")
cat(jsonlite::toJSON(lapply(directories, read_one), na = "null", digits = NA, auto_unbox = FALSE))
"""


def test_the_r_loader_reads_every_cell_as_the_grammar_does(tmp_path: Path) -> None:
    require_r_loader()
    packages: list[tuple[Path, str, Any]] = []
    for kind, cases in (("integer", INTEGERS), ("date", DATES), ("boolean", BOOLEANS)):
        for index, (cell, value) in enumerate(cases):
            directory = tmp_path / f"{kind}-{index}"
            _one_table(directory, [cell], kind)
            packages.append((directory, kind, value))
    result = rscript(R_READ_ALL, *(str(directory) for directory, _, _ in packages))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    expected = []
    for _, kind, value in packages:
        # R's integers are 32-bit: a larger 64-bit integer stops with an error, never reads otherwise.
        if value is None or (kind == "integer" and abs(value) > 2**31 - 1):
            expected.append(["error"])
        elif kind == "boolean":
            expected.append([str(value).upper()])
        else:
            expected.append([str((value - EPOCH).days) if kind == "date" else str(value)])
    assert found == expected


@pytest.mark.parametrize(
    "kind", [kind for kind in TYPES.values() if kind.pattern is not None], ids=lambda kind: kind.name
)
def test_the_r_loader_uses_the_grammar_patterns(kind: FieldType) -> None:
    script = (ROOT / "scripts" / "read_newsfacts.R").read_text(encoding="utf-8")
    written = re.search(rf'^newsfacts_{kind.name}_pattern <- "(.*)"$', script, re.MULTILINE)
    assert written is not None
    assert written.group(1).replace("\\\\", "\\") == kind.pattern


# A column of each type and a cell of it; the enum is in an order that is not alphabetical.
EVERY_TYPE: list[tuple[FieldType, dict[str, Any], str]] = [
    (STRING, {"name": "string", "type": "string"}, "text"),
    (ENUM, {"name": "enum", "type": "string", "constraints": {"enum": ["b", "a"]}}, "a"),
    (INTEGER, {"name": "integer", "type": "integer"}, "83"),
    (NUMBER, {"name": "number", "type": "number"}, "1.5"),
    (BOOLEAN, {"name": "boolean", "type": "boolean"}, "true"),
    (DATE, {"name": "date", "type": "date", "format": "default"}, "2024-09-10"),
]


@pytest.fixture(scope="module")
def every_type(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package of one table with a column of every type, a row of values and a row of empty cells."""
    header = ",".join(field["name"] for _, field, _ in EVERY_TYPE)
    cells = ",".join(cell for _, _, cell in EVERY_TYPE)
    empty = "," * (len(EVERY_TYPE) - 1)
    fields = [field for _, field, _ in EVERY_TYPE]
    return write_package(tmp_path_factory.mktemp("every-type"), fields, f"{header}\n{cells}\n{empty}\n")


def test_the_engine_types_each_column_as_its_field_type_says() -> None:
    cells = {field["name"]: pa.chunked_array([[cell, None]], pa.string()) for _, field, cell in EVERY_TYPE}
    typed_cells = pa.table(
        {name: typed(column, field)[0] for (_, field, _), (name, column) in zip(EVERY_TYPE, cells.items(), strict=True)}
    )
    frame = pl.from_arrow(typed_cells)  # as the engine hands them to polars
    assert isinstance(frame, pl.DataFrame)
    assert [str(dtype) for dtype in frame.dtypes] == [kind.polars for kind, _, _ in EVERY_TYPE]


def test_load_gives_each_column_the_pandas_dtype_its_field_type_says(every_type: Path) -> None:
    frame = load_table("table", every_type)
    assert [str(dtype) for dtype in frame.dtypes] == [kind.pandas for kind, _, _ in EVERY_TYPE]


def test_the_exports_declare_each_column_as_its_field_type_says(every_type: Path, tmp_path: Path) -> None:
    export_sqlite(tmp_path / "every.db", every_type)
    with sqlite3.connect(tmp_path / "every.db") as connection:
        declared = [kind for _, _, kind, *_ in connection.execute('PRAGMA table_info("table")')]
    assert declared == [kind.sqlite for kind, _, _ in EVERY_TYPE]

    export_parquet(tmp_path / "parquet", every_type)
    schema = pq.read_schema(tmp_path / "parquet" / "table.parquet")
    for kind, field, _ in EVERY_TYPE:
        arrow = schema.field(field["name"]).type
        if kind is ENUM:
            assert arrow == pa.dictionary(pa.int32(), pa.string())
        else:
            assert arrow == pa.type_for_alias(kind.arrow), field["name"]


def test_the_r_loader_reads_each_column_as_the_class_its_field_type_says(every_type: Path) -> None:
    program = (
        'source("scripts/read_newsfacts.R"); table <- read_newsfacts(commandArgs(trailingOnly = TRUE)[[1]])$table; '
        "cat(jsonlite::toJSON(unname(vapply(table, function(column) class(column)[[1]], character(1)))))"
    )
    result = rscript(program, str(every_type.parent))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [kind.r for kind, _, _ in EVERY_TYPE]
