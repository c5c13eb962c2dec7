"""The columnar engine against frictionless, the oracle: on a synthetic package with injected errors, and
cell by cell on parsing edge cases; and the synthetic packages themselves."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newsfacts.build import build
from newsfacts.checks.descriptor import load_descriptor
from newsfacts.engine import check_rows, read_table
from newsfacts.limits import Limits
from newsfacts.models import MODELS, Entity
from newsfacts.package import Layout, parse_row, read_tables
from newsfacts.problems import Problem
from newsfacts.synth import synthesize
from newsfacts.tables import LINE, json_bytes
from newsfacts.validate import validate

from .frictionless_check import check_frictionless
from .injections import INJECTIONS, synthesize_with_errors

Finding = tuple[str, int | None, str | None, str]  # (resource, row line, field, error kind)


def findings(problems: list[Problem], layout: Layout) -> set[Finding]:
    resource = {os.path.abspath(layout.csv(p.stem)): p.stem for p in (layout.package_dir / "data").glob("*.csv")}
    return {(resource.get(os.path.abspath(p.path), p.path), p.line, p.field, p.code) for p in problems}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Layout, set[Finding]]:
    out = tmp_path_factory.mktemp("synthetic") / "project"
    injected = synthesize_with_errors(out, quotes=300, errors=2, seed=7)
    manifest = {(item["resource"], item["line"], item["field"], item["code"]) for item in injected}
    return Layout(out / "datapackage"), manifest


def test_engine_and_frictionless_report_the_same_errors(synthetic: tuple[Layout, set[Finding]]) -> None:
    layout, manifest = synthetic
    tables, problems = read_tables(layout)
    descriptor, _ = load_descriptor(layout)
    assert problems == []
    assert descriptor is not None
    engine = findings(check_rows(tables, descriptor).problems, layout)
    oracle = findings(check_frictionless(layout, {}), layout)
    assert engine == oracle
    # ...and they are exactly the injected errors that frictionless can see.
    assert engine == {finding for finding in manifest if not finding[3].startswith("span-")}


# Where frictionless deviates from the spec, the engine keeps the spec's reading (cells.py, the one
# cell grammar). A case that meets a deviation names it and says what frictionless reports instead
# (nothing, by default), so the test fails once frictionless changes.
NON_ASCII_DIGITS = (
    "frictionless types cells with Python's int() and strptime, which read any Unicode digit "
    "(Arabic-Indic, fullwidth, ...) as 0-9; Table Schema's lexical forms, and the row models, know 0-9 only"
)
BLANKS_AND_UNDERSCORES = (
    "frictionless reads an integer as Python's int(cell.strip()), which takes blanks around it and `_` "
    "between digits; Table Schema's integer is an optional sign and digits, nothing else"
)
ONE_DIGIT_MONTH_OR_DAY = (
    "frictionless reads a date with strptime('%Y-%m-%d'), which takes a month or day of one digit, "
    "or padded with a blank; Table Schema's date is YYYY-MM-DD"
)
BEYOND_64_BITS = (
    "frictionless reads integers of any size; the toolkit's integers are 64-bit, as in pandas' Int64, "
    "SQLite and Parquet, so a longer one is refused rather than read as something else"
)
DOLLAR_BEFORE_LINE_BREAK = (
    "frictionless anchors a pattern with Python's `$`, which also matches before a final line break; "
    "the row models' `$`, like JSON Schema's, does not"
)

Cell = tuple[int, str | None, str]  # (line, field, code) in the case's table


@dataclass(frozen=True)
class Case:
    """Cells of one table replaced, and what the engine and frictionless report in the whole package."""

    table: str
    cells: list[tuple[int, str, str]]  # (row of the table from 0, field, new cell)
    found: list[Cell]
    constraints: dict[str, dict[str, Any]] = field(default_factory=dict)  # a field's constraints, replaced
    bug: str | None = None  # one of the frictionless deviations above
    frictionless: list[Cell] = field(default_factory=list)  # what frictionless reports, where it deviates


def _integer(value: str, *found: Cell, bug: str | None = None, frictionless: list[Cell] | None = None) -> Case:
    return Case("quotes", [(0, "char_start", value)], list(found), bug=bug, frictionless=frictionless or [])


def _date(value: str, *found: Cell, bug: str | None = None) -> Case:
    return Case("events", [(0, "start_date", value)], list(found), bug=bug)


def _mentions(first: str, second: str, *found: Cell) -> Case:
    """Two mentions of one entity in one article (rows 1 and 2) starting at these offsets."""
    cells = [(row, "entity_id", "person-000000") for row in (1, 2)]
    return Case("entity_mentions", [*cells, (1, "char_start", first), (2, "char_start", second)], list(found))


def _length(value: str, *found: Cell) -> Case:
    return Case("events", [(0, "location", value)], list(found), {"location": {"minLength": 2, "maxLength": 3}})


NOT_AN_INTEGER: Cell = (2, "char_start", "type-error")
NOT_A_DATE: Cell = (2, "start_date", "type-error")
TOO_LONG_OR_SHORT: Cell = (2, "location", "constraint-error")
MENTION_KEY = "entity_id,article_id,char_start"
# The base package (20 quotes, one article art-000000) starts its tables with these rows, among others:
#   quotes: q-000000-001,art-000000,person-000000,,Person 000000,We will…,81,147,full,u-000000-001
#   event_actors: ev-000000-01,country-00,target / ev-000000-01,person-000000,actor / ev-000000-02,country-00,target
#   entities: country-00 / government-00 (parent country-00) / outlet-00 / person-000000 / person-000001
PARSING_CASES = {
    # Integers: an optional sign and ASCII digits, within 64 bits.
    "integer ' 5'": _integer(" 5", NOT_AN_INTEGER, bug=BLANKS_AND_UNDERSCORES),
    "integer '5 '": _integer("5 ", NOT_AN_INTEGER, bug=BLANKS_AND_UNDERSCORES),
    "integer '+5'": _integer("+5"),
    "integer '-0'": _integer("-0"),
    "integer '05'": _integer("05"),
    "integer '5.0'": _integer("5.0", NOT_AN_INTEGER),
    "integer '1e3'": _integer("1e3", NOT_AN_INTEGER),
    "integer '1_000'": _integer("1_000", NOT_AN_INTEGER, bug=BLANKS_AND_UNDERSCORES),
    "integer '1__000'": _integer("1__000", NOT_AN_INTEGER),
    "integer ' '": _integer(" ", NOT_AN_INTEGER),
    "integer, Arabic-Indic digit": _integer("\u0665", NOT_AN_INTEGER, bug=NON_ASCII_DIGITS),
    "integer, fullwidth digit": _integer("\uff15", NOT_AN_INTEGER, bug=NON_ASCII_DIGITS),
    "integer at the 64-bit maximum": _integer("9223372036854775807"),
    "integer beyond 64 bits": _integer("9223372036854775808", NOT_AN_INTEGER, bug=BEYOND_64_BITS),
    "integer beyond 64 bits, below the minimum": _integer(
        "-99999999999999999999",
        NOT_AN_INTEGER,
        bug=BEYOND_64_BITS,
        frictionless=[(2, "char_start", "constraint-error")],
    ),
    "integer above a maximum": Case(
        "quotes", [(0, "char_end", "5001")], [(2, "char_end", "constraint-error")], {"char_end": {"maximum": 5000}}
    ),
    "integer at a maximum": Case("quotes", [(0, "char_end", "5000")], [], {"char_end": {"maximum": 5000}}),
    # Dates: YYYY-MM-DD, a real calendar day.
    "date '2024-9-1'": _date("2024-9-1", NOT_A_DATE, bug=ONE_DIGIT_MONTH_OR_DAY),
    "date '2024-09-1'": _date("2024-09-1", NOT_A_DATE, bug=ONE_DIGIT_MONTH_OR_DAY),
    "date '2024-09- 1'": _date("2024-09- 1", NOT_A_DATE, bug=ONE_DIGIT_MONTH_OR_DAY),
    "date ' 2024-09-01'": _date(" 2024-09-01", NOT_A_DATE),
    "date '+2024-09-01'": _date("+2024-09-01", NOT_A_DATE),
    "date '2024-09-01T00:00'": _date("2024-09-01T00:00", NOT_A_DATE),
    "date '20240901'": _date("20240901", NOT_A_DATE),
    "date '2024-02-30'": _date("2024-02-30", NOT_A_DATE),
    "date '2024-02-29'": _date("2024-02-29"),
    "date '0000-01-01'": _date("0000-01-01", NOT_A_DATE),
    "date, Arabic-Indic year": _date("\u0662\u0660\u0662\u0664-09-01", NOT_A_DATE, bug=NON_ASCII_DIGITS),
    "date after a maximum": Case(
        "events",
        [(0, "start_date", "2025-01-01")],
        [(2, "start_date", "constraint-error")],
        {"start_date": {"maximum": "2024-12-31"}},
    ),
    # Enums and patterns compare the cell as it is.
    "enum 'full '": Case("quotes", [(0, "quote_type", "full ")], [(2, "quote_type", "constraint-error")]),
    "enum ' full'": Case("quotes", [(0, "quote_type", " full")], [(2, "quote_type", "constraint-error")]),
    "enum 'Full'": Case("quotes", [(0, "quote_type", "Full")], [(2, "quote_type", "constraint-error")]),
    "pattern, line break first": Case(
        "quotes", [(0, "utterance_id", "\nu-000000-001")], [(2, "utterance_id", "constraint-error")]
    ),
    "pattern, line break last": Case(
        "quotes",
        [(0, "utterance_id", "u-000000-001\n")],
        [(2, "utterance_id", "constraint-error")],
        bug=DOLLAR_BEFORE_LINE_BREAK,
    ),
    "a line break in a cell moves the next rows' lines": Case(
        "quotes", [(0, "text", "two\nlines"), (1, "char_start", "x")], [(4, "char_start", "type-error")]
    ),
    # Lengths (here at least 2, at most 3) count code points, not bytes nor characters as seen.
    "length, 1 code point in 2 bytes": _length("é", TOO_LONG_OR_SHORT),
    "length, 3 code points in 6 bytes": _length("ééé"),
    "length, 4 code points in 8 bytes": _length("éééé", TOO_LONG_OR_SHORT),
    "length, 2 characters as seen in 4 code points": _length("e\u0301e\u0301", TOO_LONG_OR_SHORT),
    "length, 2 code points in 8 bytes": _length("\U0001f44d\U0001f44d"),
    # Keys: a missing value equals another; a value that breaks a constraint still counts.
    "composite key, one part missing, repeated": Case(
        "event_actors",
        [(0, "role", ""), (2, "event_id", "ev-000000-01"), (2, "role", "")],
        [
            (2, "role", "constraint-error"),
            (4, "role", "constraint-error"),
            (4, "event_id,entity_id,role", "primary-key"),
        ],
    ),
    "composite key, one part missing, not repeated": Case(
        "event_actors",
        [(1, "role", ""), (3, "role", "")],
        [(3, "role", "constraint-error"), (5, "role", "constraint-error")],
    ),
    "composite key, one part not an integer, repeated": _mentions(
        "x", "x", (3, "char_start", "type-error"), (4, "char_start", "type-error"), (4, MENTION_KEY, "primary-key")
    ),
    "composite key, integers equal as numbers": _mentions("07", "7", (4, MENTION_KEY, "primary-key")),
    # A cell that does not read is missing in the key, and a missing value equals another.
    "composite key, integers beyond 64 bits, distinct": Case(
        "entity_mentions",
        [(row, "entity_id", "person-000000") for row in (1, 2)]
        + [(1, "char_start", "99999999999999999999"), (2, "char_start", "99999999999999999998")],
        [(3, "char_start", "type-error"), (4, "char_start", "type-error"), (4, MENTION_KEY, "primary-key")],
        bug=BEYOND_64_BITS,
    ),
    "key missing": Case(
        "quotes", [(1, "quote_id", "")], [(3, "quote_id", "constraint-error"), (3, "quote_id", "primary-key")]
    ),
    "blank row": Case(
        "event_actors",
        [(1, "event_id", ""), (1, "entity_id", ""), (1, "role", "")],
        [(3, None, "blank-row"), (3, "event_id,entity_id,role", "primary-key")],
    ),
    "unique values that break their pattern": Case(
        "quotes",
        [(0, "quote_id", "Q-1"), (1, "quote_id", "Q-1")],
        [
            (2, "quote_id", "constraint-error"),
            (3, "quote_id", "constraint-error"),
            (3, "quote_id", "unique-error"),
            (3, "quote_id", "primary-key"),
        ],
    ),
    "foreign key, other case": Case("articles", [(0, "outlet_id", "Outlet-00")], [(2, "outlet_id", "foreign-key")]),
    "foreign key, trailing blank": Case(
        "articles", [(0, "outlet_id", "outlet-00 ")], [(2, "outlet_id", "foreign-key")]
    ),
    "foreign key that breaks its pattern": Case(
        "quotes",
        [(0, "speaker_id", "Person-000000")],
        [(2, "speaker_id", "constraint-error"), (2, "speaker_id", "foreign-key")],
    ),
    "self-reference, other case": Case(
        "entities",
        [(1, "parent_id", "Country-00")],
        [(3, "parent_id", "constraint-error"), (3, "parent_id", "foreign-key")],
    ),
}


@pytest.fixture(scope="module")
def small_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small") / "project"
    synthesize(out, quotes=20)
    return out


def _replace_cells(layout: Layout, case: Case) -> None:
    """The case's cells in its table, and the descriptor's bytes, hash and constraints to match."""
    path = layout.csv(case.table)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    for row, name, value in case.cells:
        rows[row + 1][rows[0].index(name)] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    data = text.getvalue().encode("utf-8")
    path.write_bytes(data)
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    resource = next(resource for resource in descriptor["resources"] if resource["name"] == case.table)
    resource.update(bytes=len(data), hash=f"sha256:{hashlib.sha256(data).hexdigest()}")
    for schema_field in resource["schema"]["fields"]:
        if schema_field["name"] in case.constraints:
            schema_field["constraints"] = case.constraints[schema_field["name"]]
    layout.descriptor.write_bytes(json_bytes(descriptor))


@pytest.mark.parametrize("case", PARSING_CASES.values(), ids=PARSING_CASES.keys())
def test_engine_reads_cells_as_frictionless_does(case: Case, small_package: Path, tmp_path: Path) -> None:
    shutil.copytree(small_package, tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    _replace_cells(layout, case)
    tables, _ = read_tables(layout)
    descriptor, _ = load_descriptor(layout)
    assert descriptor is not None
    assert len(tables) == len(MODELS)
    engine = findings(check_rows(tables, descriptor).problems, layout)
    oracle = findings(check_frictionless(layout, tables), layout)
    assert engine == {(case.table, *cell) for cell in case.found}
    assert oracle == {(case.table, *cell) for cell in (case.frictionless if case.bug else case.found)}


def test_every_injected_error_is_found_where_it_was_put(synthetic: tuple[Layout, set[Finding]]) -> None:
    layout, manifest = synthetic
    assert {code for injection in INJECTIONS for code in injection.codes} == {finding[3] for finding in manifest}
    found = findings(validate(layout, rows_only=True), layout)
    # The row model explains type and constraint errors in its own words, at the same cell.
    explained = {
        (r, line, f, "row-invalid") for (r, line, f, code) in manifest if code in {"type-error", "constraint-error"}
    }
    expected = {finding for finding in manifest if finding[3] not in {"type-error", "constraint-error"}} | explained
    assert found == expected


def test_a_clean_synthetic_package_is_valid(tmp_path: Path) -> None:
    synthesize(tmp_path / "project", quotes=120)
    assert validate(Layout(tmp_path / "project" / "datapackage")) == []


def test_a_synthetic_package_is_as_the_build_writes_it(tmp_path: Path) -> None:
    # Every file the build generates: data/*.csv in key order, data/*.json, datapackage.json, the
    # data dictionary and schema/ (not the project's README.md, which a synthetic project lacks).
    synthesize(tmp_path / "project", quotes=300)
    result = build(Layout(tmp_path / "project" / "datapackage"), check=True)
    assert (result.problems, result.stale) == ([], [])


def test_synth_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        synthesize(tmp_path, quotes=10)


def test_rows_keep_their_lines_across_line_breaks_in_cells(tmp_path: Path) -> None:
    header = "entity_id,name,entity_type,aliases,description,country,parent_id\n"
    rows = 'acme,Acme,organization,,"Two\nlines",,\nbeta,Beta,organization,,One line,,\n'
    (tmp_path / "entities.csv").write_text(header + rows, encoding="utf-8")
    table, problems = read_table(tmp_path / "entities.csv", Entity, tmp_path, Limits())
    assert problems == []
    assert table is not None
    assert table.data.get_column(LINE).to_list() == [2, 4]
    assert table.data.get_column("aliases").to_list() == [None, None]  # an empty cell is missing


UNUSUAL_CELLS = {
    "integer ' 5'": _integer(" 5"),
    "integer '05'": _integer("05"),
    "integer '+5'": _integer("+5"),
    "integer '-0'": _integer("-0"),
    "integer '1_000'": _integer("1_000", NOT_AN_INTEGER, bug=BLANKS_AND_UNDERSCORES),
    "date '2024-9-1'": _date("2024-9-1"),
    "date '2024-09-1'": _date("2024-09-1"),
}


@pytest.mark.parametrize("case", UNUSUAL_CELLS.values(), ids=UNUSUAL_CELLS.keys())
def test_cells_frictionless_reads_are_still_judged_by_the_row_model(
    case: Case, small_package: Path, tmp_path: Path
) -> None:
    """validate refuses exactly the rows that the row model, and so `build`, refuses."""
    shutil.copytree(small_package, tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    _replace_cells(layout, case)
    tables, _ = read_tables(layout)
    refused = {
        (problem.line, problem.field)
        for name, table in tables.items()
        for row in table.data.iter_rows(named=True)
        if isinstance(parsed := parse_row(MODELS[name], row, table.path, row.pop(LINE)), list)
        for problem in parsed
    }
    found = {(p.line, p.field) for p in validate(layout, rows_only=True) if p.code == "row-invalid"}
    assert found == refused


def test_a_span_that_ends_before_it_starts_is_reported_not_a_crash(small_package: Path, tmp_path: Path) -> None:
    shutil.copytree(small_package, tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    _replace_cells(layout, _integer("1000"))  # the row's char_end is 147
    found = [(p.line, p.field, p.code) for p in validate(layout, rows_only=True)]
    assert found == [(2, "char_end", "span-out-of-range")]
