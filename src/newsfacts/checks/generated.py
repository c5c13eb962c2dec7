"""The JSON tables: valid against their JSON Schema, and equal to what the CSV says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ..engine import LINE
from ..package import Layout, ValidTable
from ..problems import Problem, problem
from ..schemas import json_schema
from ..tables import read_json


def _json_records(table: ValidTable) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows as the records `build` writes (dates as ISO strings), and their CSV lines."""
    import polars as pl

    frame = table.frame
    header = list(table.model.model_fields)
    as_json = frame.select(
        [pl.col(name).cast(pl.String) if frame.schema[name] == pl.Date else pl.col(name) for name in header]
    )
    return as_json.to_dicts(), frame.get_column(LINE).to_list()


def _record_line(table: ValidTable, lines_by_key: dict[tuple[Any, ...], int], record: Any) -> int | None:
    """The CSV line of the first row with the same primary key as a JSON record, if any."""
    if not isinstance(record, dict):
        return None
    key = tuple(record.get(name) for name in table.model.primary_key)
    try:
        return lines_by_key.get(key)
    except TypeError:  # a list or an object in the key: equal to no row's key
        return None


# The keywords of a record's schema under which its errors are those of each property on its own
# value, plus `required` and `additionalProperties`, which a record with exactly the schema's keys meets.
_RECORD_KEYWORDS = {"type", "properties", "required", "additionalProperties", "description", "title", "$defs"}


def _schema_errors(validator: Draft202012Validator, data: Any) -> list[tuple[list[Any], str]]:
    """(path, message) of each JSON Schema error in `data`, as `validator.iter_errors` finds them.

    An array of records is checked a value at a time: each distinct value of a field is checked
    once against the field's schema, and only records with a value in error, or without exactly
    the schema's keys, are validated whole. The errors are the same, found in a fraction of the time.
    """
    schema = validator.schema
    record = schema.get("items")
    plain = (
        isinstance(data, list)
        and set(schema) <= {"$schema", "$comment", "title", "description", "type", "items"}
        and schema.get("type") == "array"
        and isinstance(record, dict)
        and set(record) <= _RECORD_KEYWORDS
        and record.get("type") == "object"
        and record.get("additionalProperties") is False
        and set(record.get("required", [])) == set(record.get("properties", {}))
    )
    if not plain:
        return [(list(error.absolute_path), error.message) for error in validator.iter_errors(data)]
    properties: dict[str, Any] = record["properties"]
    keys = set(properties)
    field_validators = {name: validator.evolve(schema=sub) for name, sub in properties.items()}
    valid_values: dict[str, set[Any]] = {name: set() for name in properties}
    invalid_values: dict[str, set[Any]] = {name: set() for name in properties}

    def clean(item: Any) -> bool:
        if not isinstance(item, dict) or item.keys() != keys:
            return False
        for name, value in item.items():
            if isinstance(value, (dict, list, float, bool)):
                return False  # unhashable, or equal to a value of another type (1.0, True == 1): check it whole
            if value in valid_values[name]:
                continue
            if value in invalid_values[name]:
                return False
            if field_validators[name].is_valid(value):
                valid_values[name].add(value)
            else:
                invalid_values[name].add(value)
                return False
        return True

    item_validator = validator.evolve(schema=record)
    errors = []
    for index, item in enumerate(data):
        if not clean(item):
            errors += [([index, *error.absolute_path], error.message) for error in item_validator.iter_errors(item)]
    return errors


def _exact_problems(layout: Layout, name: str, table: ValidTable) -> list[Problem]:
    """The problems of one JSON table, found by parsing the file and pairing records with rows."""
    path = layout.json(name)
    data, read_problems = read_json(path, layout.package_dir, layout.limits, "json-stale")
    if read_problems:
        return read_problems
    problems = []
    records, lines = _json_records(table)
    validator = Draft202012Validator(json_schema(table.model))
    errors = sorted(_schema_errors(validator, data), key=lambda error: error[0])
    lines_by_key: dict[tuple[Any, ...], int] = {}
    if errors:
        for row_record, line in zip(reversed(records), reversed(lines), strict=True):
            lines_by_key[tuple(row_record[key] for key in table.model.primary_key)] = line  # the first row wins
    for where, message in errors:
        record = data[where[0]] if where and isinstance(data, list) else None
        field = str(where[1]) if len(where) > 1 else None
        problems.append(
            problem("json-schema", path, _record_line(table, lines_by_key, record), field, table=name, detail=message)
        )
    if table.complete and isinstance(data, list):
        problems += _compare(path, table, records, lines, data)
    return problems


def check_json_tables(layout: Layout, tables: dict[str, ValidTable]) -> list[Problem]:
    """Each table's JSON file: readable, valid against the table's JSON Schema, and, for a table
    whose rows are all valid, holding the same records as the CSV (`json-stale`)."""
    problems: list[Problem] = []
    for name, table in tables.items():
        problems += _exact_problems(layout, name, table)
    return problems


def _compare(
    path: Path, table: ValidTable, records: list[dict[str, Any]], lines: list[int], data: list[Any]
) -> list[Problem]:
    """`json-stale` for each row missing from the JSON or differing there, and each record not in the CSV."""
    key_names = table.model.primary_key

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(record.get(name) for name in key_names)

    from_csv = {key(record): (record, line) for record, line in zip(records, lines, strict=True)}
    if len(from_csv) != len(records):
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
