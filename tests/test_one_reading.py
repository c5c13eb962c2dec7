"""Property: for any package that `validate` passes, every reader returns exactly the values it checked.

Hypothesis edits cells of a small valid package at the edges of their types' grammar (integers
spelt with signs and zeros or not at all, impossible dates, text with quotes, line breaks and
look-alike characters), runs `build` as a contributor would, and, where `validate` then passes,
reads the package with `load()`, `load_table()`, both exports, frictionless-py and the R loader.
Each must return the values of the CSV as the one cell grammar reads them.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from newsfacts import load, load_table
from newsfacts.build import build
from newsfacts.cells import parse_date, parse_integer
from newsfacts.exporters.parquet import export_parquet
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.models import MODELS
from newsfacts.package import Layout
from newsfacts.schemas import table_fields
from newsfacts.validate import validate

from .conftest import ROOT, fixture_root, r_loader_installed
from .test_cells import DATES, EPOCH, INTEGERS

Values = dict[str, list[dict[str, Any]]]  # table -> rows -> field -> value

SAME_VALUE = [lambda n: f"+{n}", lambda n: f"0{n}", lambda n: f"000{n}", str]
HOSTILE_INTEGERS = [cell for cell, _ in INTEGERS]
# Quotes, dashes and spaces that look alike, line breaks, separators, formula prefixes, controls.
TEXT_CHARACTERS = st.sampled_from(
    list("a \",\n\\'#;=+@-0\u201c\u201d\u2019\u2014\u2013\u00e9\u2028\u00a0\U0001f44d\t\r\x00")
)
SPECIAL_TEXT = ["NA", "N/A", "null", "None", "NaN", "TRUE", "0", "-", " ", "  padded  ", '"', '""', "a,b", "x\ny"]
# Columns whose cells may take any text without breaking a curation rule or a verbatim span.
FREE_TEXT = [
    ("entities", "description"),
    ("events", "description"),
    ("events", "location"),
    ("sanctions", "description"),
    ("sanctions", "measures"),
    ("articles", "title"),
    ("articles", "dateline"),
]
OFFSETS = [("quotes", "char_start"), ("quotes", "char_end")]
DATE_COLUMNS = [("sanctions", "announced_date"), ("articles", "published_date")]

Edit = tuple[str, str, Callable[[str], str]]  # (table, column, new cell from the old one)


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    kind = draw(st.sampled_from(["offset", "date", "text"]))
    if kind == "offset":
        table, column = draw(st.sampled_from(OFFSETS))
        spell = draw(st.sampled_from([*SAME_VALUE, *(lambda _, cell=cell: cell for cell in HOSTILE_INTEGERS)]))
        return table, column, spell
    if kind == "date":
        table, column = draw(st.sampled_from(DATE_COLUMNS))
        in_window = st.dates(datetime.date(2022, 1, 1), datetime.date(2025, 12, 31)).map(datetime.date.isoformat)
        cell = draw(in_window | st.sampled_from([cell for cell, _ in DATES]))
        return table, column, lambda _: cell
    table, column = draw(st.sampled_from(FREE_TEXT))
    text = draw(st.text(TEXT_CHARACTERS, min_size=1, max_size=12) | st.sampled_from(SPECIAL_TEXT))
    return table, column, lambda _: text


def _edit_csv(layout: Layout, edit: Edit) -> None:
    table, column, spell = edit
    path = layout.csv(table)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    index = rows[0].index(column)
    rows[1][index] = spell(rows[1][index])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def expected_values(layout: Layout) -> Values:
    """Each table's CSV, read by the strict csv module and typed by the grammar: the values validate checked."""
    values: Values = {}
    for name, model in MODELS.items():
        kinds = {field["name"]: field["type"] for field in table_fields(model)}
        text = layout.csv(name).read_text(encoding="utf-8")
        header, *rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        parse: dict[str, Callable[[str], Any]] = {"integer": parse_integer, "date": parse_date}
        values[name] = [
            {
                column: (None if cell == "" else parse.get(kinds[column], str)(cell))
                for column, cell in zip(header, row, strict=True)
            }
            for row in rows
        ]
    return values


def _python(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _frame_values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {column: _python(value) for column, value in row.items()} for row in frame.astype(object).to_dict("records")
    ]


def _sqlite_values(database: Path, layout: Layout) -> Values:
    connection = sqlite3.connect(database)
    try:
        values: Values = {}
        for name, model in MODELS.items():
            dates = {field["name"] for field in table_fields(model) if field["type"] == "date"}
            cursor = connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            columns = [description[0] for description in cursor.description]
            values[name] = [
                {
                    column: (datetime.date.fromisoformat(cell) if column in dates and cell is not None else cell)
                    for column, cell in zip(columns, row, strict=True)
                }
                for row in cursor.fetchall()
            ]
        return values
    finally:
        connection.close()


R_VALUES = """
source("scripts/read_newsfacts.R")
tables <- read_newsfacts(commandArgs(trailingOnly = TRUE)[[1]])
values <- lapply(tables, function(table) lapply(table, function(column)
  if (inherits(column, "Date")) as.character(as.numeric(column)) else as.character(column)))
cat(jsonlite::toJSON(values, na = "null", digits = NA))
"""


def _as_r_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return str((value - EPOCH).days)
    return str(value)


def _r_values(layout: Layout) -> dict[str, dict[str, list[str | None]]]:
    result = subprocess.run(
        ["Rscript", "-e", R_VALUES, str(layout.descriptor)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, dict[str, list[str | None]]] = json.loads(result.stdout)
    return found


def _frictionless_values(layout: Layout) -> Values:
    """The tables as frictionless-py reads them, in its own typing (it is another client of the package)."""
    from frictionless import Package

    package = Package(str(layout.descriptor))
    return {
        resource.name: [{key: _python(value) for key, value in row.items()} for row in resource.read_rows()]
        for resource in package.resources
    }


def assert_every_reader_reads(layout: Layout, scratch: Path) -> None:
    expected = expected_values(layout)
    tables = load(layout.descriptor)
    for name, frame in tables.items():
        assert _frame_values(frame) == expected[name], name
        pd.testing.assert_frame_equal(load_table(name, layout.root), frame)
    export_sqlite(scratch / "package.db", layout.descriptor)
    assert _sqlite_values(scratch / "package.db", layout) == expected
    export_parquet(scratch / "parquet", layout.descriptor)
    for name in MODELS:
        rows = pq.read_table(scratch / "parquet" / f"{name}.parquet").to_pylist()
        assert [{column: _python(value) for column, value in row.items()} for row in rows] == expected[name], name
    frictionless = _frictionless_values(layout)
    for name, rows in expected.items():
        assert frictionless[name] == rows, f"frictionless, {name}"
    if r_loader_installed() or os.environ.get("CI"):  # in CI, R must be there (.ci/run installs it)
        r_values = _r_values(layout)
        for name, rows in expected.items():
            columns = {column: [_as_r_text(row[column]) for row in rows] for column in rows[0]} if rows else {}
            assert {column: r_values[name][column] for column in columns} == columns, name


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(edits(), min_size=1, max_size=3))
def test_a_package_that_validates_reads_the_same_everywhere(changes: list[Edit]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        shutil.copytree(fixture_root("minimal-valid"), root)
        layout = Layout(root / "datapackage")
        for change in changes:
            _edit_csv(layout, change)
        if build(layout).problems or validate(layout):
            event("refused")  # nothing reaches a reader
            return
        event("valid: read by every reader")
        assert_every_reader_reads(layout, Path(scratch))


def test_the_real_package_reads_the_same_everywhere(tmp_path: Path) -> None:
    assert_every_reader_reads(Layout(ROOT / "datapackage"), tmp_path)


@pytest.mark.parametrize(
    ("table", "column", "cell"),
    [
        ("quotes", "char_start", "0077"),
        ("entities", "description", 'Says "no", twice\nand “yes”'),
        ("entities", "description", "NA"),
    ],
)
def test_unusual_but_valid_cells_read_the_same_everywhere(table: str, column: str, cell: str, tmp_path: Path) -> None:
    # Pinned cases the property might not draw: each must stay valid, so the readers are compared.
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    _edit_csv(layout, (table, column, lambda _: cell))
    assert build(layout).problems == []
    assert validate(layout) == []
    assert_every_reader_reads(layout, tmp_path)
