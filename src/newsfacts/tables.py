"""Reading package files strictly and safely: no guessing, no silent repair, nothing outside the package.

Contributions arrive through pull requests, so every file is treated as hostile until checked:
a path must stay inside its directory (symlinks included), and a file must be UTF-8 without a
BOM or control characters, within the size limits.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .limits import Limits
from .problems import Problem, problem

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

# C0 controls except tab, LF and CR, plus DEL: never part of a news text or a table cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The CSV dialect `build` writes, the one `parse_csv` and the engine read, and the only one `load()` accepts.
DIALECT = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True}
# The Table Schema key naming the field that labels a row for people (a model's `label_field`):
# `build` writes it, `load()` accepts it, and `export --to sqlite` makes it Datasette's label column.
# Table Schema has no such property; Data Package allows namespaced custom ones (`newsfacts:generated`).
LABEL_FIELD = "newsfacts:labelField"

# The column `read_cells` adds beside a table's own: the CSV line each row starts on.
LINE = "__line"
QUOTE, NEWLINE, CARRIAGE_RETURN, COMMA = 0x22, 0x0A, 0x0D, 0x2C
# What may stand beside a quote that RFC 4180 allows (a CR of a CRLF line end included).
QUOTE_NEIGHBOURS = (COMMA, NEWLINE, CARRIAGE_RETURN, QUOTE)
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "@", "\t")
# The csv module's own limit (131,072 characters) would stop a long cell with an exception;
# cells are bounded by `Limits.max_cell_chars`, reported as `cell-too-large`, and files by size.
csv.field_size_limit(2**31 - 1)


def unsafe_path_problem(path: Path, within: Path) -> Problem | None:
    """A problem if `path`, after following symlinks, leaves `within`."""
    try:
        inside = path.resolve().is_relative_to(within.resolve())
    except (OSError, RuntimeError, ValueError) as error:  # RuntimeError: a symlink loop; ValueError: a NUL byte
        return problem("unsafe-path", path, detail=str(error))
    if not inside:
        return problem("unsafe-path", path, detail=f"resolves outside {within}")
    return None


def open_regular(path: Path | str) -> BinaryIO:
    """Open a file for reading; OSError unless it is a regular file.

    A FIFO would block the open (and a reader) forever and a device never ends, so the file is
    opened without blocking and checked on the descriptor, which no swap of the path can change.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a folder, FIFO, socket or device)", str(path))
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_at_most(handle: BinaryIO, limit: int) -> bytes:
    """An open file's bytes, but no more than `limit` + 1 of them (one more than the limit tells a file over it).

    `handle.read(limit + 1)` would allocate the whole limit up front (a MemoryError for the 10**12 of
    `make bench`): the size fstat gives is read, then any growth since, up to the limit.
    """
    data = handle.read(min(os.fstat(handle.fileno()).st_size, limit) + 1)
    while len(data) <= limit and (more := handle.read(min(limit + 1 - len(data), 1 << 24))):
        data += more
    return data


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file; OSError for anything else, and EFBIG past `limit` bytes (nothing more is read)."""
    with open_regular(path) as handle:
        data = read_at_most(handle, limit)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


def parse_json(text: str | bytes) -> Any:
    """JSON as the toolkit reads it; ValueError for anything else.

    A key repeated in one object is refused: Python keeps its last value and R's jsonlite its
    first, so the two would read different packages. So is nesting past the parser's recursion
    and an integer past Python's 4,300 digits (both raise other errors in `json.loads`).
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the key {repeated[0]!r} repeats in one object")
    return dict(pairs)


def json_bytes(value: Any) -> bytes:
    """The toolkit's one JSON writer: UTF-8, non-ASCII kept, two-space indents, a final newline.

    Every JSON file the toolkit writes (descriptor, schemas, JSON tables, suites) is laid out so;
    `render.render_json` writes a table's records in exactly this layout, a batch at a time.
    """
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    """The toolkit's one CSV writer: rows (the header first) in `DIALECT`, UTF-8 without BOM.

    Cells are written as they are, quoted only where RFC 4180 needs it (a comma, quote or line break).
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)  # DIALECT["lineTerminator"]
    return buffer.getvalue().encode("utf-8")


def parse_toml(text: str) -> dict[str, Any]:
    """TOML as the toolkit reads it; ValueError for anything else (TOMLDecodeError is one)."""
    try:
        return tomllib.loads(text)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def read_bytes(path: Path, within: Path, limits: Limits) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a file inside `within` and within the size limit, or the problems that stop it from being read."""
    unsafe = unsafe_path_problem(path, within)
    if unsafe:
        return None, [unsafe]
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return None, [problem("file-too-large", path, size=size, limit=limits.max_file_bytes)]
        return read_regular(path, limits.max_file_bytes), []
    except FileNotFoundError:
        return None, [problem("file-missing", path, detail=str(path))]
    except OSError as error:
        if error.errno == errno.EFBIG:  # it grew since `stat`
            return None, [
                problem("file-too-large", path, size=f"over {limits.max_file_bytes}", limit=limits.max_file_bytes)
            ]
        return None, [problem("file-missing", path, detail=str(error))]
    except ValueError as error:  # a NUL byte in the path
        return None, [problem("file-missing", path, detail=str(error))]


def decode_text(raw: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """A file's bytes as text: UTF-8 without a BOM or control characters."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [problem("bom", path, 1)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [problem("encoding-error", path, line, detail=str(error))]
    control = [
        problem("control-character", path, number, char=repr(match.group()))
        for number, line_text in enumerate(text.split("\n"), start=1)
        if (match := CONTROL_CHARACTERS.search(line_text))
    ]
    return (None, control) if control else (text, [])


def read_text(path: Path, within: Path, limits: Limits) -> tuple[str | None, list[Problem]]:
    """The text of a file inside `within`, or the problems that stop it from being read."""
    raw, problems = read_bytes(path, within, limits)
    return (None, problems) if raw is None else decode_text(raw, path)


def read_json(path: Path, within: Path, limits: Limits, invalid_code: str) -> tuple[Any, list[Problem]]:
    """The parsed JSON of a file inside `within`; unparsable JSON is reported under `invalid_code`."""
    text, problems = read_text(path, within, limits)
    if text is None:
        return None, problems
    try:
        return parse_json(text), []
    except json.JSONDecodeError as error:
        return None, [problem(invalid_code, path, error.lineno, detail=f"invalid JSON: {error.msg}")]
    except ValueError as error:
        return None, [problem(invalid_code, path, detail=f"invalid JSON: {error}")]


def parse_csv(text: str, path: Path, header: list[str]) -> tuple[list[tuple[int, list[str]]] | None, list[Problem]]:
    """Parse CSV text strictly (RFC 4180) into its rows, each with the line it starts on, reporting
    every structural problem with its line.

    The first row must be exactly `header`.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        found = next(reader, None)
        if found is None:
            return None, [problem("csv-error", path, 1, detail="file is empty")]
        duplicated = sorted({name for name in found if found.count(name) > 1})
        if duplicated:
            return None, [problem("duplicate-header", path, 1, duplicated[0], names=duplicated)]
        if found != header:
            missing = [name for name in header if name not in found]
            extra = [name for name in found if name not in header]
            detail = f"expected {header}"
            if missing:
                detail += f"; missing {missing}"
            if extra:
                detail += f"; unexpected {extra}"
            return None, [problem("header-mismatch", path, 1, detail=detail)]
        rows: list[tuple[int, list[str]]] = []
        line = reader.line_num + 1
        for cells in reader:
            carriage = next((name for name, cell in zip(header, cells, strict=False) if "\r" in cell), None)
            if len(cells) != len(header):
                problems.append(problem("row-length", path, line, found=len(cells), expected=len(header)))
            elif carriage is not None:
                # A line may end in CRLF, but a CR in a cell reads as a line break in some clients, not others.
                problems.append(problem("control-character", path, line, carriage, char=repr("\r")))
            else:
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        return None, [*problems, problem("csv-error", path, reader.line_num, detail=str(error))]
    return rows, problems


def read_cells(raw: bytes, path: Path, header: list[str]) -> tuple[pa.Table | None, list[Problem]]:
    """The cells of a CSV file's bytes, as strings (an empty cell is null), with the line each row starts on (`LINE`).

    This is the toolkit's one CSV reader: `validate`, `build`, `diff` (through `engine.parse_table`),
    `load()` and `export` all read tables through it, with pyarrow and numpy only, so that
    `pip install newsfacts` reads a package as the toolkit validates it. The first row must be
    exactly `header`. A plain file (see `_vet`) is read by pyarrow; any other by the strict `csv`
    module (`parse_csv`), which accepts exactly RFC 4180 and names the defect and line of anything
    else. So a cell never reads one way here and another way in a stricter reader.
    """
    plain, breaks, stray_quote = _vet(raw, header)
    cells = _parse(raw, header) if plain else None
    if cells is not None:
        return _with_lines(cells, header, breaks, raw.endswith(b"\n")), []
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
    return _table_from_rows(rows, header), []


def _table_from_rows(rows: list[tuple[int, list[str]]], header: list[str]) -> pa.Table:
    import pyarrow as pa

    columns = {
        name: pa.array([cells[index] or None for _, cells in rows], pa.string()) for index, name in enumerate(header)
    }
    columns[LINE] = pa.array([line for line, _ in rows], pa.int64())
    return pa.table(columns)


def _with_lines(cells: pa.Table, header: list[str], file_breaks: int, final_break: bool) -> pa.Table:
    """Add the line each row starts on: 2 + its index + the line breaks inside earlier rows' cells."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = np.arange(2, cells.num_rows + 2, dtype=np.int64)
    # The header's break, one between rows, and the last row's if the file ends with one: any
    # other break is inside a cell.
    if file_breaks != cells.num_rows + final_break:
        inside = sum(pc.fill_null(pc.count_substring(cells.column(name), "\n"), 0).to_numpy() for name in header)
        lines += np.cumsum(inside) - inside
    return cells.append_column(LINE, pa.array(lines))


def _parse(raw: bytes, header: list[str]) -> pa.Table | None:
    """The cells of a plain CSV file's bytes, or None if it is not strictly well-formed UTF-8 CSV.

    pyarrow parses: it refuses a row with too few cells (where polars would pad it) and checks that
    every cell is UTF-8. An empty cell, the package's only missing value, is null.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    convert = arrow_csv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    try:
        return arrow_csv.read_csv(
            pa.BufferReader(raw),
            read_options=arrow_csv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 22),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=convert,
        )
    except (pa.ArrowInvalid, OSError):
        return None


def _quoting(octets: np.ndarray[Any, Any], quotes: np.ndarray[Any, Any]) -> tuple[int | None, bool]:
    """The offset of the first quote where RFC 4180 allows none, and whether a quoted field is still
    open at the end. Only the quotes' own positions are looked at, a few per row, not every byte.

    Outside a quoted field (an even number of quotes before it) a quote opens one, after a
    separator or a line break, or is the second of an escaped pair; inside, it closes the field
    or escapes the next quote. The file's start and end count as line breaks.
    """
    import numpy as np

    if quotes.size == 0:
        return None, False
    last = octets.size - 1
    before = np.where(quotes > 0, octets[np.maximum(quotes - 1, 0)], NEWLINE)
    after = np.where(quotes < last, octets[np.minimum(quotes + 1, last)], NEWLINE)
    inside = np.arange(quotes.size) % 2 == 1
    stray = np.flatnonzero(np.where(inside, ~np.isin(after, QUOTE_NEIGHBOURS), ~np.isin(before, QUOTE_NEIGHBOURS)))
    return (int(quotes[stray[0]]) if stray.size else None), quotes.size % 2 == 1


def _vet(raw: bytes, header: list[str]) -> tuple[bool, int, int | None]:
    """Whether a file's bytes are plain CSV text that starts with the model's header, their line
    breaks, and the offset of the first stray quote, if any.

    Plain: no BOM, no control character (but tab and LF), no blank line, and every `"` where RFC
    4180 allows one; pyarrow checks that the cells are UTF-8. pyarrow reads a stray quote
    leniently (`"Ac"me` as `Acme`, `Ac"me` as it is), where the strict reader refuses it or other
    clients read it otherwise, so a file with one takes the strict reader. numpy scans the bytes
    (shared, not copied) a few times faster than `bytes.translate` does.
    """
    import numpy as np

    octets = np.frombuffer(raw, dtype=np.uint8)
    is_control = np.zeros(256, dtype=bool)
    is_control[:0x20] = is_control[0x7F] = True
    is_control[[0x09, NEWLINE]] = False
    breaks = np.flatnonzero(octets == NEWLINE)
    control = bool(is_control[octets].any())
    blank = bool((np.diff(breaks) == 1).any())
    stray_quote, open_quote = _quoting(octets, np.flatnonzero(octets == QUOTE))
    first, _, _ = raw[: 1 << 16].partition(b"\n")
    plain = not raw.startswith(b"\xef\xbb\xbf") and not (control or blank or open_quote) and stray_quote is None
    return plain and first == ",".join(header).encode("utf-8"), int(breaks.size), stray_quote
