"""Known defects injected into a synthetic package, for the engine's differential test and `make bench`.

`synthesize_with_errors(out, quotes, errors=K)` writes a synthetic package (newsfacts.synth) with
K defects of every kind in `INJECTIONS`, one per row, and returns where each one is, as
{resource, line, field, code}. The rows are broken as they are written, through synth's `edit`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsfacts.models import MODELS, TABLES
from newsfacts.synth import Shape, synthesize


@dataclass(frozen=True)
class Injection:
    """One kind of defect: which cell it breaks, the problem codes it causes there, and how."""

    table: str
    field: str
    codes: tuple[str, ...]
    # (row, previous row of the table, length of the row's seed text) -> the broken row
    breaks: Callable[[list[str], list[str], int], list[str]]


def _change(table: str, field: str, how: Callable[[str], str]) -> Callable[[list[str], list[str], int], list[str]]:
    index = list(MODELS[table].model_fields).index(field)

    def breaks(row: list[str], _previous: list[str], _length: int) -> list[str]:
        return [*row[:index], how(row[index]), *row[index + 1 :]]

    return breaks


def _set(table: str, field: str, value: str) -> Callable[[list[str], list[str], int], list[str]]:
    return _change(table, field, lambda _cell: value)


def _copy_from_previous(table: str, field: str) -> Callable[[list[str], list[str], int], list[str]]:
    """The row with `field` copied from the table's previous row."""
    index = list(MODELS[table].model_fields).index(field)

    def breaks(row: list[str], previous: list[str], _length: int) -> list[str]:
        return [*row[:index], previous[index], *row[index + 1 :]]

    return breaks


def _copy_row(_row: list[str], previous: list[str], _length: int) -> list[str]:
    return list(previous)


# Same length, so only the verbatim comparison can notice.
_alter_text = _change("quotes", "text", lambda text: "#" + text[1:])


def _past_the_end(table: str) -> Callable[[list[str], list[str], int], list[str]]:
    """The row's span ending 10 characters past the end of its seed text."""
    index = list(MODELS[table].model_fields).index("char_end")

    def breaks(row: list[str], _previous: list[str], length: int) -> list[str]:
        return [*row[:index], str(length + 10), *row[index + 1 :]]

    return breaks


# Every row-level defect the engine and frictionless both report, plus the span defects that
# only newsfacts checks. Each sits on its own row, where it causes no other problem.
INJECTIONS: tuple[Injection, ...] = (
    Injection("quotes", "char_end", ("type-error",), _set("quotes", "char_end", "n/a")),
    Injection("events", "start_date", ("type-error",), _set("events", "start_date", "2024-02-30")),
    Injection("quotes", "speaker_as_printed", ("constraint-error",), _set("quotes", "speaker_as_printed", "")),
    Injection("quotes", "quote_type", ("constraint-error",), _set("quotes", "quote_type", "paraphrase")),
    Injection("quotes", "utterance_id", ("constraint-error",), _set("quotes", "utterance_id", "U_bad")),
    Injection("entity_mentions", "char_start", ("constraint-error",), _set("entity_mentions", "char_start", "-1")),
    Injection("quotes", "quote_id", ("unique-error", "primary-key"), _copy_from_previous("quotes", "quote_id")),
    Injection("event_actors", "event_id,entity_id,role", ("primary-key",), _copy_row),
    Injection("quotes", "speaker_id", ("foreign-key",), _set("quotes", "speaker_id", "nobody-000")),
    Injection("entities", "parent_id", ("foreign-key",), _set("entities", "parent_id", "ghost-entity")),
    # A value that breaks its pattern is still looked up, as it is: an id in the wrong case is not found.
    Injection(
        "entity_mentions",
        "entity_id",
        ("constraint-error", "foreign-key"),
        _change("entity_mentions", "entity_id", str.upper),
    ),
    Injection("quotes", "text", ("span-mismatch",), _alter_text),
    Injection("entity_mentions", "char_end", ("span-out-of-range",), _past_the_end("entity_mentions")),
)


def _anywhere(_index: int) -> bool:
    return True


def _targets(shape: Shape, errors: int, rng: random.Random) -> dict[str, dict[int, Injection]]:
    """For each table, the rows to break and how; each row is broken at most once."""
    counts = shape.rows()
    first_quotes = set()
    row = 0
    for article in range(shape.articles):
        first_quotes.add(row)
        row += shape.article_quotes(article)
    first_person = counts["entities"] - shape.people
    eligible: dict[str, Callable[[int], bool]] = {
        # the copied key must come from the same article, or the id no longer names its article
        "quote_id": lambda index: index not in first_quotes,
        # a second actor of its event, copying the first: the event keeps an actor
        "event_id,entity_id,role": lambda index: index % 2 == 1,
        "parent_id": lambda index: index >= first_person,
    }
    targets: dict[str, dict[int, Injection]] = {model.resource_name: {} for model in TABLES}
    for injection in INJECTIONS:
        chosen = targets[injection.table]
        accept = eligible.get(injection.field, _anywhere)
        free = [index for index in range(counts[injection.table]) if index not in chosen and accept(index)]
        if len(free) < errors:
            raise ValueError(f"too few {injection.table} rows to break {errors} of them; synthesise more quotes")
        for index in rng.sample(free, errors):
            chosen[index] = injection
    return targets


def synthesize_with_errors(out: Path, quotes: int, errors: int, seed: int = 0) -> list[dict[str, Any]]:
    """A synthetic package with `errors` defects of every kind; where each is, sorted."""
    targets = _targets(Shape(quotes), errors, random.Random(seed))
    injected: list[dict[str, Any]] = []

    def edit(table: str, index: int, row: list[str], previous: list[str], seed_length: int) -> list[str]:
        injection = targets[table].get(index)
        if injection is None:
            return row
        # Rows hold no line breaks, so row n of the table is on line n + 2 (after the header).
        injected.extend(
            {"resource": table, "line": index + 2, "field": injection.field, "code": code} for code in injection.codes
        )
        return injection.breaks(row, previous, seed_length)

    synthesize(out, quotes, edit)
    return sorted(injected, key=lambda item: (item["resource"], item["line"], item["field"], item["code"]))
