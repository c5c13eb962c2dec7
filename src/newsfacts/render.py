"""The JSON-table format: a table's rows as the bytes `tables.json_bytes` writes for their records, and back.

`build` writes each JSON table with it, `synth` a batch of rows at a time as it makes them, and
`validate` (checks/generated.py) compares each JSON file with it. `json.dumps` with an indent
runs the pure-Python encoder, slowly; here polars writes the text between values as literals, and
escapes a string column only in the batches where it holds a character that needs it.
`read_rendered` reads such a file back with polars, for the check of a stale JSON table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .cells import DATE_FORMAT
from .tables import open_regular

if TYPE_CHECKING:
    import polars as pl

# Rows rendered at a time: a batch of the largest table (quotes) is about 40 MB of JSON.
BATCH_ROWS = 100_000
# What json.dumps (ensure_ascii=False) escapes in a string, and how: `"`, `\` and the C0 controls
# (DEL and every other character are written as they are).
_ESCAPES = {'"': '\\"', "\\": "\\\\"} | {chr(code): json.dumps(chr(code))[1:-1] for code in range(0x20)}
_SPECIAL = r'[\x00-\x1f"\\]'


class Unrenderable(ValueError):
    """A column of a type the renderer does not write: String, Date, Int64, Float64 and Boolean are."""


def _record(names: list[str], schema: pl.Schema, escaped: set[str], with_nulls: set[str]) -> pl.Expr:
    """Each row's record as json.dumps(indent=2) writes it inside a list, from `  {` to `  }`.

    The text between values is written as one literal, and a value never null there goes
    between the quotes of the literals around it: fewer, larger pieces to concatenate.
    """
    import polars as pl

    pieces: list[pl.Expr] = []
    text = "  {\n"
    for index, name in enumerate(names):
        text += ("" if index == 0 else ",\n") + f"    {json.dumps(name, ensure_ascii=False)}: "
        column = pl.col(name)
        quoted = schema[name] in (pl.String, pl.Date)
        if name in escaped:
            value = column.str.replace_many(list(_ESCAPES), list(_ESCAPES.values()))
        elif schema[name] == pl.Float64:
            # As json.dumps writes a float (`1e+16`, `NaN`, `Infinity`), which polars does not: a value at a time,
            # slowly, but no model has a number field yet.
            value = column.map_elements(json.dumps, return_dtype=pl.String)
        else:
            value = column.cast(pl.String)
        if name in with_nulls:
            if quoted:
                value = pl.concat_str(pl.lit('"'), value, pl.lit('"'))
            pieces += [pl.lit(text), value.fill_null("null")]
            text = ""
        else:
            pieces += [pl.lit(text + '"' if quoted else text), value]
            text = '"' if quoted else ""
    pieces.append(pl.lit(text + "\n  }"))
    return pl.concat_str(pieces)


def render_batch(batch: pl.DataFrame, first: bool) -> bytes:
    """The records of a batch of rows (not empty), a key per column, after what separates them from
    the records before: `[` for the first batch of a table, `,` for the others.

    Raises `Unrenderable` for a column of another type than String, Date, Int64, Float64 and Boolean.
    """
    import polars as pl

    names = batch.columns
    for name in names:
        if batch.schema[name] not in (pl.String, pl.Date, pl.Int64, pl.Float64, pl.Boolean):
            raise Unrenderable(f"{name} is of type {batch.schema[name]}")
    strings = [name for name in names if batch.schema[name] == pl.String]
    special = batch.select(pl.col(name).str.contains(_SPECIAL).any() for name in strings).row(0) if strings else ()
    escaped = {name for name, found in zip(strings, special, strict=True) if found}
    nulls = batch.select(pl.col(name).null_count() for name in names).row(0)
    record = _record(names, batch.schema, escaped, {name for name, count in zip(names, nulls, strict=True) if count})
    text: bytes = batch.select(record.str.join(",\n").cast(pl.Binary)).item()
    return (b"[\n" if first else b",\n") + text


def render_end(empty: bool) -> bytes:
    """What closes a table's records (`[]` for a table without any)."""
    return b"[]\n" if empty else b"\n]\n"


def render_json(frame: pl.DataFrame, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """The bytes `tables.json_bytes` writes for the frame's rows as records (a key per column), a batch at a time."""
    for offset in range(0, frame.height, batch_rows):
        yield render_batch(frame.slice(offset, batch_rows), first=offset == 0)
    yield render_end(empty=frame.height == 0)


# Bytes of a stale JSON file read at a time (then cut after the last whole record).
PIECE_BYTES = 32 * 1024 * 1024


def _pieces(path: Path) -> Iterator[bytes]:
    """The records of a JSON file as `build` writes it, a run of whole records at a time: from the
    first record's `  {` to the last one's `  }`, with the `,` lines between them.

    Stops early (the caller then finds fewer records, or other bytes) where the file is not laid out so.
    """
    with open_regular(path) as handle:
        if handle.read(2) != b"[\n":
            return
        pending = b""
        while chunk := handle.read(PIECE_BYTES):
            pending += chunk
            cut = pending.rfind(b"\n  },\n")
            if cut >= 0:
                yield pending[: cut + 4]
                pending = pending[cut + 6 :]
        if pending.endswith(b"\n  }\n]\n"):
            yield pending[:-3]


def read_rendered(path: Path, schema: pl.Schema) -> pl.DataFrame | None:
    """The records of a JSON file laid out as `render_json` writes them, as columns of `schema`
    (String, Date and Int64 only), read with polars a piece at a time.

    None where a piece does not read so. A frame that is returned is not yet proven to be the
    file's records: render it back and compare the bytes (checks/generated.py does).
    """
    import polars as pl

    names = list(schema)
    dtypes = dict(schema)
    if any(dtype not in (pl.Int64, pl.Date, pl.String) for dtype in dtypes.values()):
        return None
    width = len(names) + 2  # `  {`, a line per field, `  }` (then `,` or nothing)
    texts: list[pl.Expr] = []
    for index, name in enumerate(names):
        field_line = pl.col("line").gather_every(width, offset=index + 1)
        text = field_line.str.strip_prefix(f"    {json.dumps(name, ensure_ascii=False)}: ")
        texts.append((text.str.strip_suffix(",") if index < len(names) - 1 else text).alias(name))
    strings = [name for name in names if dtypes[name] != pl.Int64]
    parts: list[pl.DataFrame] = []
    for piece in _pieces(path):
        # One string column of the piece's lines: no separator, no quoting, and no line is a header.
        lines = pl.read_csv(piece, has_header=False, separator="\x1f", quote_char=None, schema={"line": pl.String})
        if lines.height % width:
            return None
        literals = lines.select(texts)
        escapes = literals.select(pl.col(name).str.contains("\\", literal=True).any() for name in strings).row(0)
        escaped = {name for name, found in zip(strings, escapes, strict=True) if found}
        values = literals.select(_json_value(name, dtypes[name], name in escaped) for name in names)
        misread = [values.get_column(name).is_null() & (literals.get_column(name) != "null") for name in names]
        if any(column.any() for column in misread):
            return None
        parts.append(values)
    if not parts:
        return None
    return pl.concat(parts)


def _json_value(name: str, dtype: pl.DataType, escaped: bool) -> pl.Expr:
    """A column of JSON literals (or `null`) as the values of `dtype`; only strings with an escape need decoding."""
    import polars as pl

    literal = pl.col(name)
    if dtype == pl.Int64:
        return literal.cast(pl.Int64, strict=False)
    if escaped:
        value = literal.str.json_decode(pl.String)
    else:
        value = pl.when(literal != "null").then(literal.str.strip_prefix('"').str.strip_suffix('"'))
    return (value.str.to_date(DATE_FORMAT, strict=False) if dtype == pl.Date else value).alias(name)
