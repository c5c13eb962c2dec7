"""The JSON tables: valid against their JSON Schema, and equal to what the CSV says.

Only tables whose CSV rows are all valid are checked (see `check_json_tables`). Each table is
rendered as `build` writes it (render.py) and compared with its file as the file is read: the
same bytes settle it (`_unchanged`). On a mismatch the exact path parses the file with `json`,
validates it and pairs its records with the rows to name each difference (`_exact_problems`).
A stale file that `build` wrote for other rows (a CSV edited since, the usual mistake) is first
tried on a faster path, read with polars and compared by key (`_stale_problems`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..build import interrupted
from ..package import Layout, TypedTable
from ..problems import Problem, problem
from ..render import Unrenderable, read_rendered, render_json
from ..schemas import json_schema
from ..tables import LINE, open_regular, read_json, unsafe_path_problem
from . import FILE_CODES, check

if TYPE_CHECKING:
    import polars as pl
    from jsonschema import Draft202012Validator


@check("build-finished", "files", {"build-interrupted", "stale-temp-file"})
def check_build_finished(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """What a killed `build` left behind: its journal, or its temporary files."""
    return interrupted(layout)


def _json_records(table: TypedTable) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows as the records `build` writes (dates as ISO strings), and their CSV lines."""
    import polars as pl

    frame = table.frame
    header = list(table.model.model_fields)
    as_json = frame.select(
        [pl.col(name).cast(pl.String) if frame.schema[name] == pl.Date else pl.col(name) for name in header]
    )
    return as_json.to_dicts(), frame.get_column(LINE).to_list()


def _rendered(table: TypedTable) -> Iterator[bytes]:
    """The bytes `build` writes for the table's rows (in the frame's order)."""
    return render_json(table.frame.select(list(table.model.model_fields)))


def _holds_readable(path: Path, chunks: Iterator[bytes]) -> bool:
    """Whether the file holds exactly the chunks' bytes, read a chunk at a time, and `read_text` accepts them.

    Rendered bytes are UTF-8 and escape every control character but DEL, which json.dumps writes
    as it is and `read_text` refuses (a CSV cell never holds one, but a JSON file's escaped DEL may).
    """
    with open_regular(path) as handle:
        for chunk in chunks:
            if b"\x7f" in chunk or handle.read(len(chunk)) != chunk:
                return False
        return handle.read(1) == b""


def _violations(name: str, prop: dict[str, Any], dtype: pl.DataType) -> tuple[list[pl.Expr], str | None] | None:
    """Expressions true where a column's value breaks its JSON Schema property, and the property's
    `pattern`; None where the property says more than they can check.

    Only the keywords the models produce are understood. `format` is an annotation: the
    validator is made without a format checker, so it asserts nothing.
    """
    import polars as pl

    annotations = {"description", "title", "default", "$comment", "examples", "format"}
    nullable = False
    if "anyOf" in prop:
        branches = prop["anyOf"]
        others = [branch for branch in branches if branch != {"type": "null"}]
        if set(prop) - annotations != {"anyOf"} or len(branches) != 2 or len(others) != 1:
            return None
        nullable, prop = True, others[0]
    column = pl.col(name)
    kinds = {pl.String: "string", pl.Date: "string", pl.Int64: "integer"}
    kind = next((kind for known, kind in kinds.items() if dtype == known), None)
    if kind is None or prop.get("type") not in (["string"] if kind == "string" else ["integer", "number"]):
        return None
    value = column.cast(pl.String) if dtype == pl.Date else column
    found: list[pl.Expr] = [] if nullable else [column.is_null()]
    pattern = None
    for keyword, argument in prop.items():
        number = isinstance(argument, (int, float)) and not isinstance(argument, bool)
        if keyword in annotations or keyword == "type":
            continue
        if keyword == "pattern" and kind == "string" and isinstance(argument, str):
            pattern = argument
        elif keyword == "minLength" and kind == "string" and number:
            found.append(value.str.len_chars() < argument)
        elif keyword == "maxLength" and kind == "string" and number:
            found.append(value.str.len_chars() > argument)
        elif keyword == "minimum" and kind == "integer" and number:
            found.append(value < argument)
        elif keyword == "maximum" and kind == "integer" and number:
            found.append(value > argument)
        elif keyword in ("enum", "const"):
            allowed = argument if keyword == "enum" else [argument]
            same_kind = str if kind == "string" else int
            # `type(item) is`: jsonschema tells True from 1, though they are equal.
            if not isinstance(allowed, list) or any(type(item) is not same_kind for item in allowed):
                return None
            found.append(~value.is_in(allowed))
        else:
            return None
    return found, pattern


def _conforms(table: TypedTable) -> bool:
    """Whether every record of the table is valid against its JSON Schema, as the validator would find.

    The rows passed the engine's checks of the Table Schema, or the row model itself, but neither
    is the JSON Schema: the Table Schema has no `const` (articles.language), and a row the model
    accepts keeps as null the cells the engine found in error. So each property is checked here,
    a column at a time; a pattern with Python's `re` (as jsonschema does) on the distinct values.
    """
    import polars as pl

    schema = json_schema(table.model)
    record = _plain_record(schema)
    frame = table.frame
    if record is None or set(record["properties"]) != set(table.model.model_fields):
        return False
    found: list[pl.Expr] = []
    patterns: dict[str, str] = {}
    for name, prop in record["properties"].items():
        if name not in frame.schema:
            return False
        checks = _violations(name, prop, frame.schema[name])
        if checks is None:
            return False
        found += checks[0]
        if checks[1] is not None:
            patterns[name] = checks[1]
    if found and frame.select(pl.any_horizontal([check.fill_null(False).any() for check in found])).item():
        return False
    for name, pattern in patterns.items():
        values = frame.get_column(name).cast(pl.String).drop_nulls().unique().to_list()
        if not all(map(re.compile(pattern).search, values)):
            return False
    return True


def _readable(layout: Layout, path: Path) -> bool:
    """Whether `read_json` gets past the path and size checks (bytes the renderer writes pass the rest)."""
    if unsafe_path_problem(path, layout.package_dir) is not None:
        return False
    try:
        return path.stat().st_size <= layout.limits.max_file_bytes
    except OSError:
        return False


def _unchanged(layout: Layout, name: str, table: TypedTable) -> bool:
    """Whether the exact path would find no problem in a complete table's JSON file, settled cheaply.

    True when all three hold, and then `_exact_problems` would return nothing:
    - `read_json` reads the file (`_readable`, and `_holds_readable`: bytes the renderer writes
      start with `[`, are UTF-8, and hold no control character but LF once DEL is ruled out);
    - the file holds exactly the bytes `tables.json_bytes` writes for the rows, which `json.loads`
      turns back into the rows' own values (strings, integers and null make the round trip), so
      `_compare` finds no difference;
    - every record is valid against the JSON Schema (`_conforms`). The rows passed the model
      the JSON Schema is generated from, but that alone is not enough: see `_conforms`.
    """
    path = layout.json(name)
    try:
        return _readable(layout, path) and _conforms(table) and _holds_readable(path, _rendered(table))
    except (OSError, Unrenderable):
        return False


def _stale_problems(layout: Layout, name: str, table: TypedTable) -> list[Problem] | None:
    """What the exact path finds in a complete table's JSON file that `build` wrote for other rows,
    or None when the file is not such a file.

    The file is read with polars (`render.read_rendered`), then rendered back: the same bytes prove that
    `json.loads` would return exactly those records. If they are valid against the JSON Schema,
    the exact path finds only `json-stale` differences, which `_compare_frames` finds by key.

    It pays: with one quote_type cell of a 1M-quote synthetic package changed (the descriptor's
    hash refreshed, so only quotes.json is stale), `check_json_tables` took 7.3-7.6 s of CPU
    (7.6-13.8 s wall) and 90-130 MiB more memory on this path, against 30.6-31.5 s of CPU
    (36-48 s wall) and 1.8 GiB more on the exact path; the whole `newsfacts validate`, 27-30 s
    of CPU and 1.6-1.7 GiB against 54-68 s and 3.3 GiB (3 runs each, 2 shared cores, load 4-10).
    """
    import polars as pl

    path = layout.json(name)
    if not _readable(layout, path):
        return None
    try:
        records = read_rendered(path, table.frame.select(list(table.model.model_fields)).schema)
        if records is None:
            return None
        from_json = TypedTable(table.model, path, records, records.height)
        if not (_holds_readable(path, _rendered(from_json)) and _conforms(from_json)):
            return None
    except (OSError, Unrenderable, pl.exceptions.PolarsError):
        return None
    return _compare_frames(path, table, records)


def _record_line(table: TypedTable, lines_by_key: dict[tuple[Any, ...], int], record: Any) -> int | None:
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


def _plain_record(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The record schema of an array of records, if that is all `schema` says, each key required."""
    record = schema.get("items")
    plain = (
        set(schema) <= {"$schema", "$comment", "title", "description", "type", "items"}
        and schema.get("type") == "array"
        and isinstance(record, dict)
        and set(record) <= _RECORD_KEYWORDS
        and record.get("type") == "object"
        and record.get("additionalProperties") is False
        and set(record.get("required", [])) == set(record.get("properties", {}))
    )
    return record if plain else None


def _schema_errors(validator: Draft202012Validator, data: Any) -> list[tuple[list[Any], str]]:
    """(path, message) of each JSON Schema error in `data`, as `validator.iter_errors` finds them.

    An array of records is checked a value at a time: each distinct value of a field is checked
    once against the field's schema, and only records with a value in error, or without exactly
    the schema's keys, are validated whole. The errors are the same, found in a fraction of the time.
    """
    record = _plain_record(validator.schema)
    if record is None or not isinstance(data, list):
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


def _exact_problems(layout: Layout, name: str, table: TypedTable) -> list[Problem]:
    """The problems of one JSON table, found by parsing the file and pairing records with rows."""
    path = layout.json(name)
    data, read_problems = read_json(path, layout.package_dir, layout.limits, "json-stale")
    if read_problems:
        return read_problems
    problems = []
    records, lines = _json_records(table)
    from jsonschema import Draft202012Validator  # imported here: `validate --rows-only` never needs it

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
    if isinstance(data, list):
        problems += _compare(path, table, records, lines, data)
    return problems


@check("json-tables", "tables", FILE_CODES | {"json-schema", "json-stale"}, beside=True)
def check_json_tables(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Each JSON table of a CSV table whose rows are all valid: readable, valid against the
    table's JSON Schema, and holding the same records as the CSV (`json-stale`).

    A table with rows in error is skipped: `newsfacts build`, which writes the JSON tables,
    refuses it until those rows are fixed, so its JSON file is stale by definition, and checking
    it would only repeat the rows' errors (and read a large file whole, in Python, to do so).
    """
    problems: list[Problem] = []
    for name, table in tables.items():
        if not table.complete or _unchanged(layout, name, table):
            continue
        stale = _stale_problems(layout, name, table)
        problems += _exact_problems(layout, name, table) if stale is None else stale
    return problems


def _compare(
    path: Path, table: TypedTable, records: list[dict[str, Any]], lines: list[int], data: list[Any]
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
    # In the file's order (a key's first record), so that the problems come in the same order every run.
    for record_key in from_json:
        if record_key not in from_csv:
            problems.append(problem("json-stale", path, None, detail=f"row {record_key} is not in the CSV"))
    return problems


def _compare_frames(path: Path, table: TypedTable, from_json: pl.DataFrame) -> list[Problem]:
    """`_compare`, for records read into a frame: the same problems, found with joins on the key."""
    import polars as pl

    key = list(table.model.primary_key)
    names = list(table.model.model_fields)
    as_json = [pl.col(name).cast(pl.String) if table.frame.schema[name] == pl.Date else pl.col(name) for name in names]
    from_csv = table.frame.select(*as_json, LINE)
    from_json = from_json.select(as_json)
    if from_csv.select(pl.struct(key).is_duplicated().any()).item():
        return []
    # As in a dict: of records with the same key, the last one's values, at the first one's place.
    json_keys = from_json.select(key)
    if json_keys.select(pl.struct(key).is_duplicated().any()).item():
        json_keys = json_keys.unique(keep="first", maintain_order=True)
        from_json = from_json.unique(key, keep="last")
    # (line, field's place, problem): sorted, the problems come in `_compare`'s order.
    found: list[tuple[int, int, Problem]] = []
    missing = from_csv.lazy().join(from_json.lazy(), on=key, how="anti", nulls_equal=True)
    for row in missing.select(*key, LINE).collect(engine="streaming").iter_rows():
        found.append((row[-1], -1, problem("json-stale", path, row[-1], detail=f"row {row[:-1]} is missing")))
    # Only the keys are joined; then a column at a time is compared, its rows gathered in pair order.
    pairs = (
        from_csv.lazy()
        .select(*key, LINE)
        .with_row_index("\x00csv")
        .join(from_json.lazy().select(key).with_row_index("\x00json"), on=key, how="inner", nulls_equal=True)
        .select(LINE, "\x00csv", "\x00json")
        .collect()
    )
    for place, name in enumerate(names):
        if name in key:
            continue
        csv_values = from_csv.get_column(name).gather(pairs.get_column("\x00csv"))
        json_values = from_json.get_column(name).gather(pairs.get_column("\x00json"))
        differs = pairs.get_column(LINE).filter(csv_values.ne_missing(json_values))
        found += [(line, place, problem("json-stale", path, line, name, detail=f"{name} differs")) for line in differs]
    problems = [found_problem for _, _, found_problem in sorted(found, key=lambda item: item[:2])]
    extra = json_keys.join(from_csv.select(key), on=key, how="anti", nulls_equal=True, maintain_order="left")
    for record_key in extra.iter_rows():
        problems.append(problem("json-stale", path, None, detail=f"row {record_key} is not in the CSV"))
    return problems
