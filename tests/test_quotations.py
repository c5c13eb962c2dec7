"""The quotation rule (newsfacts.quotations): what counts as a quotation, on made-up paragraphs and on every seed."""

from __future__ import annotations

import polars as pl
import pytest

from newsfacts.checks.provenance import check_quotation_coverage
from newsfacts.package import Layout, TypedTable
from newsfacts.quotations import quotations, uncovered
from newsfacts.tables import LINE
from newsfacts.validate import read_package

from .conftest import ROOT, csv_cells

# text -> the quotations found, as (text, closed)
CASES: dict[str, list[tuple[str, bool]]] = {
    "He said: “We will act.”": [("We will act.", True)],
    'He said "we will act" twice.': [("we will act", True)],
    "It’s Iran's choice, the ministers' view.": [],
    "The ‘strategic dialogue’ began.": [("strategic dialogue", True)],
    "Its 'strategic dialogue', they said.": [("strategic dialogue", True)],
    "A ‘90s song and Iran’s view.": [],
    "“She called it ‘a threat’,” he said.": [("She called it ‘a threat’,", True)],
    "“The supply is a threat.\n“This development is another,” he said.": [
        ("The supply is a threat.", False),
        ("This development is another,", True),
    ],
    "No quotation” here.": [],
    '"One" and “two” and "three"': [("One", True), ("two", True), ("three", True)],
}


@pytest.mark.parametrize("text", list(CASES))
def test_the_rule_finds_exactly_the_quotations(text: str) -> None:
    found = quotations(text)
    assert [(quotation.text, quotation.closed) for quotation in found] == CASES[text]
    assert all(text[quotation.start : quotation.end] == quotation.text for quotation in found)


def test_offsets_count_code_points() -> None:
    (found,) = quotations("\U0001d538 “\U0001d539\U0001d539”")  # astral letters: one code point each
    assert (found.start, found.end) == (3, 5)


def test_every_seed_is_read_by_the_rule() -> None:
    """The quotations of the five seeds; each one is a quote, but the term “strategic dialogue.”"""
    seeds = {row[0]: row[1] for row in csv_cells("articles")}
    quoted = {(row[1], int(str(row[6])), int(str(row[7]))) for row in csv_cells("quotes")}
    counts, not_quoted = {}, []
    for article_id, seed_file in sorted(seeds.items()):
        found = quotations((ROOT / "datapackage" / str(seed_file)).read_text(encoding="utf-8"))
        counts[article_id] = len(found)
        rows = [(start, end) for article, start, end in quoted if article == article_id]
        not_quoted += [(article_id, q.start, q.end, q.text) for q in uncovered(found, rows)]
    assert counts == {"art-000": 10, "art-001": 5, "art-002": 6, "art-003": 2, "art-004": 4}
    assert not_quoted == [("art-000", 2075, 2094, "strategic dialogue.")]
    assert [(row[0], int(str(row[2])), int(str(row[3])), row[1]) for row in csv_cells("non_quotes")] == not_quoted


def test_removing_any_quote_or_non_quote_names_its_quotation(project_copy: Layout) -> None:
    """Each row that accounts for a quotation is needed: without it, validate names the quotation."""
    tables, problems = read_package(project_copy)
    assert problems == []
    assert check_quotation_coverage(project_copy, tables) == []
    for name in ("quotes", "non_quotes"):
        table = tables[name]
        for line, start, end in table.frame.select(LINE, "char_start", "char_end").iter_rows():
            kept = table.frame.filter(pl.col(LINE) != line)
            without = tables | {name: TypedTable(table.model, table.path, kept, kept.height)}
            found = check_quotation_coverage(project_copy, without)
            assert [(p.code, f"[{start}, {end})" in p.message) for p in found] == [("quote-uncovered", True)], (
                name,
                line,
            )


@pytest.mark.parametrize(
    ("rows", "covered"),
    [
        ([], False),
        ([(0, 5)], False),  # ends where the quotation starts: half-open, no overlap
        ([(9, 12)], False),  # starts where it ends
        ([(0, 6)], True),  # overlaps its first character
        ([(8, 20)], True),  # overlaps its last
        ([(0, 30), (1, 2)], True),  # a long row before a short one still reaches it
        ([(5, 9)], True),
    ],
)
def test_a_quotation_is_covered_by_any_overlapping_row(rows: list[tuple[int, int]], covered: bool) -> None:
    (found,) = quotations("He: “word”.")
    assert (found.start, found.end) == (5, 9)
    assert (uncovered([found], rows) == []) is covered
