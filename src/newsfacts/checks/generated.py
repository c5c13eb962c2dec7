"""The JSON tables: valid against their JSON Schema, and equal to what the CSV says."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from ..package import Layout, LoadedTable
from ..problems import Problem, problem
from ..schemas import json_schema
from ..tables import read_json


def _record_line(loaded: LoadedTable, record: Any) -> int | None:
    """The CSV line of the row with the same primary key as a JSON record, if any."""
    if not isinstance(record, dict):
        return None
    key = tuple(record.get(name) for name in loaded.model.primary_key)
    for row_record, line in zip(loaded.records, loaded.lines, strict=True):
        if tuple(row_record[name] for name in loaded.model.primary_key) == key:
            return line
    return None


def check_json_tables(layout: Layout, tables: dict[str, LoadedTable]) -> list[Problem]:
    problems: list[Problem] = []
    for name, loaded in tables.items():
        path = layout.json(name)
        data, read_problems = read_json(path, layout.package_dir, layout.limits, "json-stale")
        if read_problems:
            problems += read_problems
            continue
        validator = Draft202012Validator(json_schema(loaded.model))
        for invalid in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
            where = list(invalid.absolute_path)
            record = data[where[0]] if where and isinstance(data, list) else None
            field = str(where[1]) if len(where) > 1 else None
            problems.append(
                problem("json-schema", path, _record_line(loaded, record), field, table=name, detail=invalid.message)
            )
        if loaded.complete and isinstance(data, list):
            problems += _compare(path, loaded, data)
    return problems


def _compare(path: Any, loaded: LoadedTable, data: list[Any]) -> list[Problem]:
    key_names = loaded.model.primary_key

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(record.get(name) for name in key_names)

    from_csv = {key(record): (record, line) for record, line in zip(loaded.records, loaded.lines, strict=True)}
    if len(from_csv) != len(loaded.records):
        return []  # duplicate keys: rows cannot be paired up; frictionless reports the duplicates
    from_json = {key(record): record for record in data if isinstance(record, dict)}
    problems = []
    for record_key, (record, line) in from_csv.items():
        json_record = from_json.get(record_key)
        if json_record is None:
            problems.append(problem("json-stale", path, line, detail=f"row {record_key} is missing"))
            continue
        for field, value in record.items():
            if json_record.get(field) != value:
                problems.append(problem("json-stale", path, line, field, detail=f"{field} differs"))
    for record_key in from_json.keys() - from_csv.keys():
        problems.append(problem("json-stale", path, None, detail=f"row {record_key} is not in the CSV"))
    return problems
