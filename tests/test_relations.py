"""Relations between events are data: the data dictionary's conflict query is a plain join that
returns exactly the conflicting pairs, in SQLite and in pandas, and no note names an event."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.loader import load
from newsfacts.models import EVENT_TYPES, MODELS, Event
from newsfacts.models.plover import PLOVER_BY_EVENT_TYPE, PLOVER_CATEGORIES, PLOVER_UNCODED_REASONS

from .conftest import ROOT

DICTIONARY = ROOT / "datapackage" / "README.md"
# The pairs of accounts that outlets give incompatibly (docs/codebook.md, "Relations between events").
CONFLICTS = {
    ("ev-savett-concern-statement", "ev-us-official-concern-statement"),
    ("ev-sky-news-report-2024-09-06", "ev-sky-news-report-2024-09-07"),
    ("ev-wsj-report-2024-09-06", "ev-wsj-report-earlier-this-week"),
}


def conflicts_section() -> str:
    text = DICTIONARY.read_text(encoding="utf-8")
    return text[text.index("### Finding conflicting accounts") :]


def code_block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", conflicts_section(), re.DOTALL)
    assert match, f"no {language} block in the dictionary's conflict section"
    return match.group(1)


def test_the_dictionary_sql_returns_exactly_the_conflicting_pairs(tmp_path: Path) -> None:
    database = tmp_path / "newsfacts.sqlite"
    export_sqlite(database)
    with sqlite3.connect(database) as connection:
        rows = connection.execute(code_block("sql")).fetchall()
    assert {(row[0], row[2]) for row in rows} == CONFLICTS
    # Each side is joined to the articles that give it: art-003 and art-004 against art-001, and so on.
    assert ("ev-wsj-report-2024-09-06", "art-004", "ev-wsj-report-earlier-this-week", "art-001") in {
        row[:4] for row in rows
    }


def test_the_dictionary_pandas_snippet_returns_the_same_pairs() -> None:
    scope = {"tables": load()}
    exec(code_block("python"), scope)  # the dictionary's own snippet, as a reader would paste it
    conflicts = scope["conflicts"]
    assert isinstance(conflicts, pd.DataFrame)
    assert set(zip(conflicts["event_id"], conflicts["related_event_id"], strict=True)) == CONFLICTS
    # The join gives each side's articles, as the SQL does.
    sides = set(zip(conflicts["event_id"], conflicts["article"], conflicts["related_article"], strict=True))
    assert ("ev-wsj-report-2024-09-06", "art-004", "art-001") in sides


@pytest.mark.parametrize("field", Event.note_fields)
def test_no_event_note_names_another_event(field: str) -> None:
    # A cross-reference between events is a row of event_relations, never an id in prose.
    pattern = rf"\b{Event.reference_pattern}\b"
    events = load()[MODELS["events"].resource_name]
    assert [note for note in events[field].dropna() if re.search(pattern, note)] == []


def test_the_plover_mapping_covers_every_event_type_with_real_codes() -> None:
    # validate holds each event to the mapping (plover-unmapped); every type must have its rule, and
    # each code must be a PLOVER category or a reason for none.
    assert list(PLOVER_BY_EVENT_TYPE) == list(EVENT_TYPES)
    known = set(PLOVER_CATEGORIES) | set(PLOVER_UNCODED_REASONS)
    assert {code for mapping in PLOVER_BY_EVENT_TYPE.values() for code in mapping.codes} - known == set()
