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
from typing import Any, BinaryIO

from .limits import Limits
from .problems import Problem, problem

# C0 controls except tab, LF and CR, plus DEL: never part of a news text or a table cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The CSV dialect `build` writes, the one `parse_csv` and the engine read, and the only one `load()` accepts.
DIALECT = {"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True}
# The Table Schema key naming the field that labels a row for people (a model's `label_field`):
# `build` writes it, `load()` accepts it, and `export --to sqlite` makes it Datasette's label column.
# Table Schema has no such property; Data Package allows namespaced custom ones (`newsfacts:generated`).
LABEL_FIELD = "newsfacts:labelField"
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
