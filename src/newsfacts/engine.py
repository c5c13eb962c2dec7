"""The columnar engine: frictionless's row-level findings, computed a column at a time with polars.

frictionless-py checks a table cell by cell in Python (about 40,000 rows/s here). The engine
reads each CSV with polars and checks every rule of the Table Schema in `datapackage.json` as a
vectorised expression: types, `required`, `unique`, `enum`, `pattern`, `minLength`/`maxLength`,
`minimum`/`maximum`, the primary key and the foreign keys, and the resource's `bytes` and `hash`.
It reports the same codes at the same (file, line, field) as frictionless, the oracle in tests
(tests/frictionless_check.py; tests/test_engine.py also names the few frictionless bugs the engine
does not copy); benchmarks/README.md says why polars.

Each table is read by the toolkit's one CSV reader (`tables.read_cells`, which `load()` uses too;
`parse_table` hands its cells to polars), and its cells are typed by the one cell grammar
(`cells.typed`, in pyarrow, as `load()` types them): the engine checks the values `load()` reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cells import bound, misread, read_as, typed
from .limits import Limits
from .models import Row
from .problems import Problem, did_you_mean, problem
from .tables import FORMULA_PREFIXES, LINE, read_bytes, read_cells

if TYPE_CHECKING:
    import polars as pl

MAX_SUGGESTED = 50  # distinct missing foreign keys for which near ids are suggested


@dataclass
class RawTable:
    """A table as read: its CSV's cells as strings (an empty cell is null) with the line each row
    starts on (`LINE`), and its file's size and sha256. `package.TypedTable` is the same table typed."""

    name: str
    path: Path
    data: pl.DataFrame
    size: int
    sha256: str


def _flagged(data: pl.DataFrame, flags: dict[str, pl.Expr]) -> dict[str, pl.Series]:
    """The lines where each flag holds, for the flags that hold anywhere; one query for all flags."""
    import polars as pl

    if not flags or data.height == 0:
        return {}
    exprs = [flag.fill_null(False).alias(key) for key, flag in flags.items()]
    found = data.lazy().select(expr.any() for expr in exprs).collect().row(0, named=True)
    keys = [key for key, hit in found.items() if hit]
    if not keys:
        return {}
    masks = data.lazy().select(pl.col(LINE), *(expr for expr in exprs if expr.meta.output_name() in keys)).collect()
    return {key: masks.filter(pl.col(key)).get_column(LINE) for key in keys}


def _cell_problems(data: pl.DataFrame, model: type[Row], path: Path, limits: Limits) -> list[Problem]:
    """Cells over the size limit (`cell-too-large`) and cells a spreadsheet would run as a formula
    (`formula-injection`), for all columns in one query."""
    import polars as pl

    flags: dict[str, pl.Expr] = {}
    # A cell has at least as many bytes as characters: only a column with long cells is counted.
    longest = data.select(pl.col(name).str.len_bytes().max() for name in model.model_fields).row(0)
    for name, bytes_ in zip(model.model_fields, longest, strict=True):
        column = pl.col(name)
        if bytes_ is not None and bytes_ > limits.max_cell_chars:
            flags[f"long:{name}"] = column.str.len_chars() > limits.max_cell_chars
        if name not in model.verbatim_fields:
            flags[f"formula:{name}"] = column.str.slice(0, 1).is_in(list(FORMULA_PREFIXES))
    problems = []
    for flag, lines in _flagged(data, flags).items():
        kind, name = flag.split(":")
        values = data.filter(pl.col(LINE).is_in(lines.implode())).select(LINE, name)
        for line, value in values.iter_rows():
            if kind == "long":
                problems.append(
                    problem("cell-too-large", path, line, name, size=len(value), limit=limits.max_cell_chars)
                )
            else:
                problems.append(problem("formula-injection", path, line, name, prefix=repr(value[0])))
    return problems


def parse_table(raw: bytes, path: Path, header: list[str]) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The cells of a CSV file's bytes as `tables.read_cells` reads them (the toolkit's one CSV reader),
    as a polars frame: strings (an empty cell is null), with the line each row starts on (`LINE`)."""
    import polars as pl

    cells, problems = read_cells(raw, path, header)
    if cells is None:
        return None, problems
    frame = pl.from_arrow(cells)
    assert isinstance(frame, pl.DataFrame)
    return frame, problems


def read_table(path: Path, model: type[Row], within: Path, limits: Limits) -> tuple[RawTable | None, list[Problem]]:
    """Read one table file of the package: its cells, size and sha256, and the problems of its cells.

    The bytes are hashed in another thread (hashlib lets go of the GIL) while they are parsed.
    """
    from concurrent.futures import ThreadPoolExecutor

    raw, problems = read_bytes(path, within, limits)
    if raw is None:
        return None, problems
    with ThreadPoolExecutor(1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(raw).hexdigest())
        data, problems = parse_table(raw, path, list(model.model_fields))
        sha256 = digest.result()
    if data is None:
        return None, problems
    return RawTable(model.resource_name, path, data, len(raw), sha256), _cell_problems(data, model, path, limits)


def _cell_errors(table: RawTable, schema: dict[str, Any]) -> tuple[list[Problem], pl.DataFrame]:
    """Type and constraint errors of each cell, and the table's columns typed (null where a cell does not read).

    One query computes whether each field has errors at all; only the lines of those that do are
    then looked up. As in frictionless, a value that breaks a constraint keeps its place in the
    keys and lookups; only a value that is not of its type is missing there.
    """
    import polars as pl
    import pyarrow.compute as pc

    data = table.data
    fields = [field for field in schema.get("fields", []) if field["name"] in data.columns]
    kinds = {field["name"]: read_as(field) for field in fields}
    # Typed columns once (a string column is itself), with where each cell reads; the checks below use them.
    typed_name = {field["name"]: f"{field['name']}\x00typed" for field in fields}
    unread_name = {field["name"]: f"{field['name']}\x00unread" for field in fields}
    converted: list[pl.Series] = []
    for field in fields:
        name = field["name"]
        if kinds[name].converts:
            value, reads = typed(data.get_column(name).to_arrow(), field)
            converted += [pl.Series(typed_name[name], value), pl.Series(unread_name[name], pc.invert(reads))]
    frame = data.with_columns(converted) if converted else data
    flags: dict[str, pl.Expr] = {}
    if fields:
        # A row of empty cells is one blank-row error in place of its cells' errors, as in frictionless.
        flags["blank-row"] = pl.all_horizontal(pl.col(field["name"]).is_null() for field in fields)
    for field in fields:
        name = field["name"]
        raw = pl.col(name)
        converts = kinds[name].converts
        value = pl.col(typed_name[name]) if converts else raw
        if converts:
            flags[f"type-error:{name}"] = pl.col(unread_name[name])
        constraints = field.get("constraints", {})
        # Each constraint is checked only on cells of the right type, as frictionless does.
        checks: list[pl.Expr] = []
        if constraints.get("required"):
            checks.append(raw.is_null())
        if "pattern" in constraints:
            checks.append(value.is_not_null() & ~raw.str.contains(f"^(?:{constraints['pattern']})$"))
        if "enum" in constraints:
            checks.append(value.is_not_null() & ~raw.is_in(constraints["enum"]))
        if "minLength" in constraints:
            checks.append(raw.str.len_chars() < constraints["minLength"])
        if "maxLength" in constraints:
            checks.append(raw.str.len_chars() > constraints["maxLength"])
        ordered = kinds[name].ordered
        if "minimum" in constraints and ordered:
            checks.append(value < bound(constraints["minimum"], field))
        if "maximum" in constraints and ordered:
            checks.append(value > bound(constraints["maximum"], field))
        if checks:
            flags[f"constraint-error:{name}"] = pl.any_horizontal([check.fill_null(False) for check in checks])
    found = _flagged(frame, flags)
    blank = found.pop("blank-row", pl.Series(dtype=pl.Int64)).to_list()
    problems = [problem("blank-row", table.path, line, detail="blank row") for line in blank]
    for flag, lines in found.items():
        code, name = flag.split(":", 1)
        kept = lines.filter(~lines.is_in(blank))
        if code == "type-error":
            # The value and how its type is written (cells.FieldType.expected): what to write instead.
            cells = frame.filter(pl.col(LINE).is_in(kept.implode())).select(LINE, name).iter_rows()
            problems += [
                problem(code, table.path, line, name, detail=misread(value, kinds[name])) for line, value in cells
            ]
        else:
            problems += [
                problem(code, table.path, line, name, detail=f"{code} in field {name}") for line in kept.to_list()
            ]
    columns: list[pl.Expr] = []
    for field in fields:
        name = field["name"]
        value = pl.col(typed_name[name]) if kinds[name].converts else pl.col(name)
        columns.append(value.alias(name))
    return problems, frame.select(*columns, pl.col(LINE))


def _present(names: list[str]) -> pl.Expr:
    """Whether a row has any of these values: frictionless skips a key only when all its values are missing."""
    import polars as pl

    return pl.any_horizontal(pl.col(name).is_not_null() for name in names)


def _repeats(data: pl.DataFrame, names: list[str]) -> pl.Series:
    """Lines of rows whose values of `names` already occurred together on an earlier row (missing equals missing)."""
    import polars as pl

    return data.filter(_present(names) & ~pl.struct(names).is_first_distinct()).get_column(LINE)


def _foreign_key_errors(
    table: RawTable, typed: dict[str, pl.DataFrame], name: str, foreign_key: dict[str, Any]
) -> list[Problem]:
    import polars as pl

    fields = list(foreign_key["fields"])
    reference = foreign_key["reference"]
    target = typed.get(reference.get("resource") or name)
    data = typed[name]
    if target is None:
        return []
    wanted = data.filter(_present(fields))
    known = (
        target.select([pl.col(ref).alias(field) for ref, field in zip(reference["fields"], fields, strict=True)])
        .filter(_present(fields))
        .unique()
    )
    missing = wanted.join(known, on=fields, how="anti", nulls_equal=True)
    if missing.is_empty():
        return []
    resource = reference.get("resource") or name
    where = f"{'/'.join(reference['fields'])} of {resource}"
    # Near ids are looked for among the first distinct missing values only: each search reads every
    # known id, and a table of broken keys (a renamed table) needs no more than a few examples.
    suggestible = missing.get_column(fields[0]).unique(maintain_order=True).head(MAX_SUGGESTED).to_list()
    ids = known.get_column(fields[0]).drop_nulls().to_list() if len(fields) == 1 and suggestible else []
    hints = {value: did_you_mean(str(value), ids) for value in suggestible if ids}
    problems = []
    for row in missing.select(LINE, *fields).iter_rows():
        line, values = row[0], row[1:]
        shown = repr(values[0]) if len(values) == 1 else repr(values)
        detail = f"{shown} is no {where}{hints.get(values[0], '')}"
        problems.append(problem("foreign-key", table.path, line, fields[0], detail=detail))
    return problems


@dataclass
class RowCheck:
    """The findings, each table's typed rows, and the lines of rows with a cell in error, for the row
    model to explain."""

    problems: list[Problem]
    typed: dict[str, pl.DataFrame]
    invalid_lines: dict[str, set[int]]


def check_rows(tables: dict[str, RawTable], descriptor: dict[str, Any]) -> RowCheck:
    """Everything frictionless checks in the tables of a vetted descriptor, by table."""
    problems: list[Problem] = []
    typed: dict[str, pl.DataFrame] = {}
    invalid: dict[str, set[int]] = {}
    resources = {resource.get("name"): resource for resource in descriptor.get("resources", [])}
    for name, table in tables.items():
        resource = resources.get(name)
        if resource is None:
            continue
        # `type` as well: 5835.0 == 5835 in Python, but a JSON reader sees a float.
        if "bytes" in resource and (type(resource["bytes"]) is not int or resource["bytes"] != table.size):
            problems.append(
                problem(
                    "byte-count", table.path, detail=f"expected {resource['bytes']} bytes, the file has {table.size}"
                )
            )
        if "hash" in resource and resource["hash"] != f"sha256:{table.sha256}":
            expected = str(resource["hash"]).removeprefix("sha256:")
            problems.append(problem("hash-mismatch", table.path, actual=table.sha256, expected=expected))
        schema = resource.get("schema", {})
        cell_problems, typed[name] = _cell_errors(table, schema)
        problems += cell_problems
        invalid[name] = {p.line for p in cell_problems if p.line is not None}
        for field in schema.get("fields", []):
            if field.get("constraints", {}).get("unique") and field["name"] in typed[name].columns:
                problems += [
                    problem("unique-error", table.path, line, field["name"], detail="unique constraint violation")
                    for line in _repeats(typed[name], [field["name"]])
                ]
        key = list(schema.get("primaryKey") or [])
        if key:
            missing = typed[name].filter(~_present(key)).get_column(LINE)
            problems += [
                problem("primary-key", table.path, line, ",".join(key), detail=f"primary key {key} is missing")
                for line in missing
            ]
            problems += [
                problem("primary-key", table.path, line, ",".join(key), detail=f"primary key {key} repeats")
                for line in _repeats(typed[name], key)
            ]
    for name, table in tables.items():
        schema = resources.get(name, {}).get("schema", {})
        for foreign_key in schema.get("foreignKeys", []):
            problems += _foreign_key_errors(table, typed, name, foreign_key)
    return RowCheck(problems, typed, invalid)
