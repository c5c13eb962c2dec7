"""Mistakes a contributor makes by hand, each on a copy of the real package: `validate` reports
exactly one problem for each, at its place, and its message or hint says how to fix it (issue 16).

Where `build` accepts the edited rows, it runs first, as CONTRIBUTING.md asks: only the mistake
shows. Where it refuses them (the date), or is forgotten (the point of that row), it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from newsfacts.build import build
from newsfacts.cells import CellError, parse_date
from newsfacts.engine import RawTable, check_rows
from newsfacts.models import MODELS
from newsfacts.package import Layout, parse_row
from newsfacts.problems import did_you_mean
from newsfacts.tables import LINE
from newsfacts.validate import validate

from .conftest import csv_cells, fixture_layout
from .fixtures.edits import Edit, edit_rows, set_cells
from .test_validate import located

Row = tuple[str, int | None, str | None, str]


def row_of(table: str, line: int, key: str) -> int:
    """`line`, after checking that it holds the row keyed `key` in the real package (its first column)."""
    assert csv_cells(table)[line - 2][0] == key, f"{table}.csv:{line} is no longer {key}: pick the row anew"
    return line


def replace_in_cell(table: str, line: int, column: str, old: str, new: str) -> Edit:
    def change(rows: list[list[str]]) -> None:
        index = rows[0].index(column)
        assert rows[line - 1][index].count(old) == 1
        rows[line - 1][index] = rows[line - 1][index].replace(old, new)

    return edit_rows(table, change)


def shift_span(table: str, line: int, by: int) -> Edit:
    def change(rows: list[list[str]]) -> None:
        for column in ("char_start", "char_end"):
            index = rows[0].index(column)
            rows[line - 1][index] = str(int(rows[line - 1][index]) + by)

    return edit_rows(table, change)


def delete_row(table: str, line: int) -> Edit:
    return edit_rows(table, lambda rows: rows.__delitem__(line - 1))


@dataclass(frozen=True)
class Mistake:
    name: str
    edit: Edit
    build: bool  # whether `newsfacts build` runs after the edit (it must accept the rows then)
    expected: list[Row]  # (file relative to datapackage/, line, field, code)
    says: tuple[str, ...]  # fragments the problem's message or hint must hold


SAVETT = row_of("quotes", 25, "q-004-02")  # "…a dramatic escalation of Iran’s support…", said by sean-savett
SHIPMENTS = row_of("quotes", 3, "q-000-02")  # "Russia has now received shipments…" at [410, 540)
WARNED = row_of("quotes", 6, "q-000-05")  # "We’ve warned Iran privately…": nothing else refers to it
ARTICLE = row_of("articles", 2, "art-000")
EVENT = row_of("events", 2, "ev-allies-partners-new-measures-expected")

MISTAKES = [
    Mistake(
        "a straight quote typed for a curly one",
        replace_in_cell("quotes", SAVETT, "text", "Iran’s support", "Iran's support"),
        build=True,
        expected=[("data/quotes.csv", SAVETT, "text", "span-mismatch")],
        says=("'’' U+2019", '"\'" U+0027', "offset 1066 of the seed"),
    ),
    Mistake(
        "offsets off by one",
        shift_span("quotes", SHIPMENTS, 1),
        build=True,
        expected=[("data/quotes.csv", SHIPMENTS, "text", "span-mismatch")],
        says=("occurs at [410, 540)",),
    ),
    Mistake(
        "a speaker id misspelt (its utterance is another quote's too)",
        set_cells("quotes", SAVETT, speaker_id="sean-savet"),
        build=True,
        expected=[("data/quotes.csv", SAVETT, "speaker_id", "foreign-key")],
        says=("'sean-savet'", "did you mean 'sean-savett'"),
    ),
    Mistake(
        "a date written 10/09/2024",
        set_cells("articles", ARTICLE, published_date="10/09/2024"),
        build=False,  # build refuses the row
        expected=[("data/articles.csv", ARTICLE, "published_date", "row-invalid")],
        says=("YYYY-MM-DD", "2024-09-10"),
    ),
    Mistake(
        "a note edited without `newsfacts build`",
        set_cells("events", EVENT, date_note="Expectation voiced by Blinken on 2024-09-10."),
        build=False,
        expected=[("data/events.csv", None, None, "hash-mismatch")],
        says=("run `newsfacts build`",),
    ),
    Mistake(
        "a quotation left out",
        delete_row("quotes", WARNED),
        build=True,
        expected=[("seeds/000_53d6e1ec156d72d5.txt", 7, None, "quote-uncovered")],
        says=("We’ve warned Iran privately", "[975, 1064)", "add a quotes row"),
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[mistake.name for mistake in MISTAKES])
def test_one_mistake_is_one_problem_that_says_how_to_fix_it(mistake: Mistake, project_copy: Layout) -> None:
    mistake.edit(project_copy.root)
    if mistake.build:
        assert build(project_copy).problems == []
    problems = validate(project_copy)
    assert located(problems, project_copy.package_dir) == mistake.expected
    said = problems[0].message + "\n" + problems[0].hint
    assert [fragment for fragment in mistake.says if fragment not in said] == [], said


# The pieces, one case each: what each message says about a value.
@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("10/09/2024", "write YYYY-MM-DD, e.g. 2024-09-10 (or 2024-10-09 if the month came first)"),
        ("13/09/2024", "write YYYY-MM-DD, e.g. 2024-09-13"),
        ("2024-9-1", "write YYYY-MM-DD, e.g. 2024-09-01"),
        ("yesterday", "write YYYY-MM-DD, e.g. 2024-09-10"),
    ],
)
def test_a_date_error_says_how_to_write_the_date(value: str, says: str) -> None:
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert str(error.value) == f"{value!r} is not a date: {says}"


@pytest.mark.parametrize(
    ("value", "known", "says"),
    [
        ("wally-adeymo", ["wally-adeyemo", "antony-blinken"], "; did you mean 'wally-adeyemo'?"),
        ("adeyemo", ["wally-adeyemo", "antony-blinken"], "; did you mean 'wally-adeyemo'?"),
        ("nobody", ["wally-adeyemo", "antony-blinken"], ""),
    ],
)
def test_did_you_mean_names_the_nearest_ids(value: str, known: list[str], says: str) -> None:
    assert did_you_mean(value, known) == says


def test_an_enumeration_lists_its_values_and_the_nearest(tmp_path: Path) -> None:
    cells = dict(zip(MODELS["quotes"].model_fields, csv_cells("quotes")[0], strict=True))
    found = parse_row(MODELS["quotes"], cells | {"quote_type": "ful"}, tmp_path / "quotes.csv", 2)
    assert isinstance(found, list)
    assert [(p.line, p.field, p.code, p.message) for p in found] == [
        (2, "quote_type", "row-invalid", "'ful' is not one of: full, partial; did you mean 'full'?")
    ]


def test_the_engine_names_the_value_and_how_its_type_is_written() -> None:
    import polars as pl

    cells = pl.DataFrame({"day": ["2024-09-10", "10/09/2024"], "count": ["1", "one"], LINE: [2, 3]})
    fields = [{"name": "day", "type": "date"}, {"name": "count", "type": "integer"}]
    checked = check_rows(
        {"t": RawTable("t", Path("t.csv"), cells, 0, "")}, {"resources": [{"name": "t", "schema": {"fields": fields}}]}
    )
    assert sorted((p.line, p.field, p.code, p.message) for p in checked.problems) == [
        (3, "count", "type-error", "'one' is not an integer: an optional sign and digits (e.g. 83), within 64 bits"),
        (
            3,
            "day",
            "type-error",
            "'10/09/2024' is not a date: write YYYY-MM-DD, e.g. 2024-09-10 (or 2024-10-09 if the month came first)",
        ),
    ]


@pytest.mark.parametrize(
    ("fixture", "says"),
    [
        ("reference-unknown", "which is no sanctions id; did you mean 'sn-ruritania-acme'?"),
        ("foreign-key-broken", "'nobody' is no entity_id of entities"),
        ("quotes-invalid", "the seed has '.' U+002E where the row has '!' U+0021"),
    ],
)
def test_fixture_messages_say_what_to_write(fixture: str, says: str) -> None:
    messages = [p.message for p in validate(fixture_layout(fixture))]
    assert any(says in message for message in messages), messages
