"""Curation rules that no row-level schema can express."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from typing import Any

from ..models import split_list
from ..package import LoadedTable
from ..problems import Problem, problem

SPEAKER_TYPES = {"person", "organization", "government"}
# Each table whose rows must carry at least one verbatim source, and the table holding them.
SOURCED = {"events": ("event_sources", "event_id"), "sanctions": ("sanction_sources", "sanction_id")}


def _rows(tables: dict[str, LoadedTable], name: str) -> Iterator[tuple[dict[str, Any], int, LoadedTable]]:
    loaded = tables.get(name)
    if loaded is not None:
        for record, line in zip(loaded.records, loaded.lines, strict=True):
            yield record, line, loaded


def check_sources_present(tables: dict[str, LoadedTable]) -> list[Problem]:
    problems = []
    for table, (sources, key) in SOURCED.items():
        if sources not in tables:
            continue  # a missing or unreadable sources table is reported on its own
        sourced = {record[key] for record, _, _ in _rows(tables, sources)}
        for record, line, loaded in _rows(tables, table):
            if record[key] not in sourced:
                problems.append(
                    problem(
                        "source-missing",
                        loaded.table.path,
                        line,
                        key,
                        table=table,
                        key=record[key],
                        sources=sources,
                    )
                )
    return problems


def check_speakers(tables: dict[str, LoadedTable]) -> list[Problem]:
    entity_types = {record["entity_id"]: record["entity_type"] for record, _, _ in _rows(tables, "entities")}
    problems = []
    first_speaker: dict[str, tuple[str, str]] = {}
    for record, line, loaded in _rows(tables, "quotes"):
        speaker = record["speaker_id"]
        co_speakers = split_list(record["co_speaker_ids"])
        for field, entity in [("speaker_id", speaker)] + [("co_speaker_ids", e) for e in co_speakers]:
            if entity not in entity_types:
                if field == "co_speaker_ids":  # speaker_id is covered by the declared foreign key
                    problems.append(problem("unknown-entity", loaded.table.path, line, field, detail=entity))
            elif entity_types[entity] not in SPEAKER_TYPES:
                problems.append(
                    problem(
                        "speaker-type",
                        loaded.table.path,
                        line,
                        field,
                        entity=entity,
                        entity_type=entity_types[entity],
                    )
                )
        utterance = record["utterance_id"]
        if utterance in first_speaker and first_speaker[utterance][0] != speaker:
            other, other_quote = first_speaker[utterance]
            problems.append(
                problem(
                    "utterance-speaker-conflict",
                    loaded.table.path,
                    line,
                    "speaker_id",
                    utterance=utterance,
                    speaker=speaker,
                    other=other,
                    other_quote=other_quote,
                )
            )
        first_speaker.setdefault(utterance, (speaker, record["quote_id"]))
    return problems


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def check_event_dates(tables: dict[str, LoadedTable]) -> list[Problem]:
    problems = []
    for record, line, loaded in _rows(tables, "events"):
        path = loaded.table.path
        start, end, precision = (
            _date(record["start_date"]),
            _date(record["end_date"]),
            record["date_precision"],
        )
        if start and end and end < start:
            problems.append(problem("date-order", path, line, "end_date", start=start, end=end))
        if (start is None) != (precision is None):
            problems.append(
                problem(
                    "date-precision",
                    path,
                    line,
                    "date_precision",
                    detail="set date_precision exactly when start_date is set",
                )
            )
        if end and not start:
            problems.append(
                problem(
                    "date-precision",
                    path,
                    line,
                    "start_date",
                    detail="end_date is set but start_date is empty",
                )
            )
        if precision == "day" and start and end and start != end:
            problems.append(
                problem(
                    "date-precision",
                    path,
                    line,
                    "end_date",
                    detail="a day-precision event starts and ends on one day",
                )
            )
        if precision == "month" and start:
            last = calendar.monthrange(start.year, start.month)[1]
            if start.day != 1 or end != start.replace(day=last):
                problems.append(
                    problem(
                        "date-precision",
                        path,
                        line,
                        "start_date",
                        detail="a month-precision event runs from the month's first to last day",
                    )
                )
    return problems


def check_entities_used(tables: dict[str, LoadedTable]) -> list[Problem]:
    """Every entity is referenced from another table, and each alias is attested in a mention."""
    referenced: set[str] = set()
    for name, loaded in tables.items():
        if name == "entities":
            continue
        for fk in loaded.model.foreign_keys:
            if fk.resource == "entities":
                referenced |= {record[fk.fields[0]] for record in loaded.records}
        if name == "quotes":
            for record in loaded.records:
                referenced |= set(split_list(record["co_speaker_ids"]))
    mentioned: dict[str, set[str]] = {}
    for record, _, _ in _rows(tables, "entity_mentions"):
        mentioned.setdefault(record["entity_id"], set()).add(record["text"])
    problems = []
    for record, line, loaded in _rows(tables, "entities"):
        entity = record["entity_id"]
        if entity not in referenced:
            problems.append(problem("entity-unreferenced", loaded.table.path, line, "entity_id", entity=entity))
        for alias in split_list(record["aliases"]):
            if alias not in mentioned.get(entity, set()):
                problems.append(
                    problem("alias-unattested", loaded.table.path, line, "aliases", alias=alias, entity=entity)
                )
    return problems


def check_curation(tables: dict[str, LoadedTable]) -> list[Problem]:
    return (
        check_sources_present(tables) + check_speakers(tables) + check_event_dates(tables) + check_entities_used(tables)
    )
