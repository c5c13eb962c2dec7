"""The columnar engine: frictionless's row-level findings, computed a column at a time with polars.

frictionless-py checks a table cell by cell in Python (about 40,000 rows/s here). The engine
reads each CSV with polars and checks every rule of the Table Schema in `datapackage.json` as a
vectorised expression: types, `required`, `unique`, `enum`, `pattern`, `minLength`/`maxLength`,
`minimum`/`maximum`, the primary key and the foreign keys, and the resource's `bytes` and `hash`.
It reports the same codes at the same (file, line, field) as frictionless, the oracle in tests
(tests/frictionless_check.py; tests/test_engine.py also names the few frictionless bugs the engine
does not copy); benchmarks/README.md says why polars.

`parse_table` is the toolkit's one CSV reader. A file that is not plain (a BOM, invalid UTF-8,
control characters, carriage returns, blank lines, a header that differs from the model, CSV
that pyarrow refuses, or a stray quote) is read by the strict `csv`
module instead, which names the exact defect and line. Cells are typed by the one cell grammar
(cells.py).
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
from .tables import FORMULA_PREFIXES, decode_text, parse_csv, read_bytes

if TYPE_CHECKING:
    import polars as pl

LINE = "__line"  # the CSV line each row starts on, kept beside the table's own columns
MAX_SUGGESTED = 50  # distinct missing foreign keys for which near ids are suggested
QUOTE, NEWLINE, CARRIAGE_RETURN, COMMA = 0x22, 0x0A, 0x0D, 0x2C
# What may stand beside a quote that RFC 4180 allows (a CR of a CRLF line end included).
QUOTE_NEIGHBOURS = [COMMA, NEWLINE, CARRIAGE_RETURN, QUOTE]


@dataclass
class RawTable:
    """A table as read: its CSV's cells as strings (an empty cell is null) with the line each row
    starts on (`LINE`), and its file's size and sha256. `package.TypedTable` is the same table typed."""

    name: str
    path: Path
    data: pl.DataFrame
    size: int
    sha256: str


def _frame_from_rows(rows: list[tuple[int, list[str]]], header: list[str]) -> pl.DataFrame:
    import polars as pl

    columns: dict[str, Any] = {name: [cells[index] or None for _, cells in rows] for index, name in enumerate(header)}
    columns[LINE] = [line for line, _ in rows]
    schema: dict[str, Any] = {name: pl.String for name in header} | {LINE: pl.Int64}
    return pl.DataFrame(columns, schema=schema)


def _lines(data: pl.DataFrame, header: list[str], file_breaks: int, final_break: bool) -> pl.DataFrame:
    """Add the line each row starts on: 2 + its index + the line breaks inside earlier rows' cells."""
    import polars as pl

    # The header's break, one between rows, and the last row's if the file ends with one: any
    # other break is inside a cell.
    if file_breaks == data.height + final_break:
        return data.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE))
    breaks = pl.sum_horizontal(pl.col(name).str.count_matches("\n").fill_null(0) for name in header)
    return data.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2 + breaks.cum_sum() - breaks).cast(pl.Int64).alias(LINE)
    )


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


def _parse(raw: bytes, header: list[str]) -> pl.DataFrame | None:
    """The cells of a plain CSV file's bytes, or None if it is not strictly well-formed UTF-8 CSV.

    pyarrow parses (it refuses a row with too few cells, where polars pads it, and checks that
    every cell is UTF-8); polars checks. An empty cell, the package's only missing value, is null.
    """
    import polars as pl
    import pyarrow as pa
    from pyarrow import csv

    convert = csv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    try:
        table = csv.read_csv(
            pa.BufferReader(raw),
            read_options=csv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 22),
            parse_options=csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=convert,
        )
    except (pa.ArrowInvalid, OSError):
        return None
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _quoting(octets: pl.Series, quotes: pl.Series) -> tuple[int | None, bool]:
    """The offset of the first quote where RFC 4180 allows none, and whether a quoted field is still
    open at the end. Only the quotes' own positions are looked at, a few per row, not every byte.

    Outside a quoted field (an even number of quotes before it) a quote opens one, after a
    separator or a line break, or is the second of an escaped pair; inside, it closes the field
    or escapes the next quote. The file's start and end count as line breaks.
    """
    import polars as pl

    if quotes.is_empty():
        return None, False
    last = len(octets) - 1
    before = octets.gather(quotes.clip(lower_bound=1) - 1).scatter((quotes == 0).arg_true(), NEWLINE)
    after = octets.gather((quotes + 1).clip(upper_bound=last)).scatter((quotes == last).arg_true(), NEWLINE)
    inside = pl.int_range(len(quotes), eager=True) % 2 == 1
    stray = pl.select(
        pl.when(inside).then(~after.is_in(QUOTE_NEIGHBOURS)).otherwise(~before.is_in(QUOTE_NEIGHBOURS))
    ).to_series()
    first = quotes.filter(stray)
    return (int(first[0]) if len(first) else None), len(quotes) % 2 == 1


def _vet(raw: bytes, header: list[str]) -> tuple[bool, int, int | None]:
    """Whether a file's bytes are plain CSV text that starts with the model's header, their line
    breaks, and the offset of the first stray quote, if any.

    Plain: no BOM, no control character (but tab and LF), no blank line, and every `"` where RFC
    4180 allows one; pyarrow checks that the cells are UTF-8. pyarrow reads a stray quote
    leniently (`"Ac"me` as `Acme`, `Ac"me` as it is), where the strict reader refuses it or other
    clients read it otherwise, so a file with one takes the strict reader. polars scans the bytes
    (as a column of uint8, shared, not copied) four times faster than `bytes.translate` does.
    """
    import polars as pl
    import pyarrow as pa

    octets = pl.from_arrow(pa.Array.from_buffers(pa.uint8(), len(raw), [None, pa.py_buffer(raw)]))
    assert isinstance(octets, pl.Series)
    byte = pl.col("byte")
    control, blank, breaks, quotes = (
        octets.alias("byte")
        .to_frame()
        .lazy()
        .select(
            ((byte < 0x20) & (byte != 0x09) & (byte != 0x0A) | (byte == 0x7F)).any(),
            ((byte == 0x0A) & (byte.shift(1) == 0x0A)).any().alias("blank"),
            (byte == 0x0A).sum().alias("breaks"),
            (byte == QUOTE).arg_true().implode().alias("quotes"),
        )
        .collect()
        .row(0)
    )
    stray_quote, open_quote = _quoting(octets, pl.Series("at", quotes, dtype=pl.Int64))
    first, _, _ = raw[: 1 << 16].partition(b"\n")
    plain = not raw.startswith(b"\xef\xbb\xbf") and not (control or blank or open_quote) and stray_quote is None
    return plain and first == ",".join(header).encode("utf-8"), int(breaks or 0), stray_quote


def parse_table(raw: bytes, path: Path, header: list[str]) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The cells of a CSV file's bytes, as strings (an empty cell is null), with the line each row starts on.

    This is the toolkit's one CSV reader: `validate`, `build`, `load()`, `export` and `diff` all read
    tables through it. The first row must be exactly `header`. A plain file (see `_vet`) is read
    by pyarrow; any other by the strict `csv` module (`tables.parse_csv`), which accepts exactly
    RFC 4180 and names the defect and line of anything else. So a cell never reads one way here
    and another way in a stricter reader.
    """
    plain, breaks, stray_quote = _vet(raw, header)
    data = _parse(raw, header) if plain else None
    if data is not None:
        return _lines(data, header, breaks, raw.endswith(b"\n")), []
    text, problems = decode_text(raw, path)
    if text is None:
        return None, problems
    rows, problems = parse_csv(text, path, header)
    if rows is None or problems:
        return None, problems
    if stray_quote is not None:
        # The csv module takes a quote inside an unquoted cell (`Ac"me`) as it is; RFC 4180 does not.
        line = raw.count(b"\n", 0, stray_quote) + 1
        return None, [problem("csv-error", path, line, detail="a quote inside an unquoted cell: quote the whole cell")]
    return _frame_from_rows(rows, header), []


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

    data = table.data
    fields = [field for field in schema.get("fields", []) if field["name"] in data.columns]
    kinds = {field["name"]: read_as(field) for field in fields}
    # Typed columns once (a string column is itself), with where each cell reads; the checks below use them.
    typed_name = {field["name"]: f"{field['name']}\x00typed" for field in fields}
    unread_name = {field["name"]: f"{field['name']}\x00unread" for field in fields}
    converted: list[pl.Expr] = []
    for field in fields:
        name = field["name"]
        if kinds[name].converts:
            value, reads = typed(pl.col(name), field)
            converted += [value.alias(typed_name[name]), (pl.col(name).is_not_null() & ~reads).alias(unread_name[name])]
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
