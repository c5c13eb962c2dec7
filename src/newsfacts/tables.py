"""Reading package files strictly and safely: no guessing, no silent repair, nothing outside the package.

Contributions arrive through pull requests, so every file is treated as hostile until checked:
a path must stay inside its directory (symlinks included), and a file must be UTF-8 without a
BOM or control characters, within the size limits.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .limits import Limits
from .models import Row
from .problems import Problem, problem

# C0 controls except tab, LF and CR, plus DEL: never part of a news text or a table cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "@", "\t")


def unsafe_path_problem(path: Path, within: Path) -> Problem | None:
    """A problem if `path`, after following symlinks, leaves `within`."""
    try:
        inside = path.resolve().is_relative_to(within.resolve())
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        return problem("unsafe-path", path, detail=str(error))
    if not inside:
        return problem("unsafe-path", path, detail=f"resolves outside {within}")
    return None


@dataclass
class Table:
    """The cells of one CSV file, as strings, with the line each row starts on."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def read_text(path: Path, within: Path, limits: Limits) -> tuple[str | None, list[Problem]]:
    """The text of a file inside `within`, or the problems that stop it from being read."""
    unsafe = unsafe_path_problem(path, within)
    if unsafe:
        return None, [unsafe]
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return None, [problem("file-too-large", path, size=size, limit=limits.max_file_bytes)]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [problem("file-missing", path, detail=str(path))]
    except OSError as error:
        return None, [problem("file-missing", path, detail=str(error))]
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


def read_json(path: Path, within: Path, limits: Limits, invalid_code: str) -> tuple[Any, list[Problem]]:
    """The parsed JSON of a file inside `within`; unparsable JSON is reported under `invalid_code`."""
    text, problems = read_text(path, within, limits)
    if text is None:
        return None, problems
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [problem(invalid_code, path, error.lineno, detail=f"invalid JSON: {error.msg}")]
    except RecursionError:  # json parses nested arrays and objects recursively
        return None, [problem(invalid_code, path, detail="invalid JSON: nested too deeply")]


def cell_problems(cells: dict[str, str], model: type[Row], path: Path, line: int, limits: Limits) -> list[Problem]:
    problems = []
    for name, value in cells.items():
        if len(value) > limits.max_cell_chars:
            problems.append(problem("cell-too-large", path, line, name, size=len(value), limit=limits.max_cell_chars))
        # Verbatim source text may legitimately start this way; the span check proves it is verbatim.
        if value.startswith(FORMULA_PREFIXES) and name not in model.verbatim_fields:
            problems.append(problem("formula-injection", path, line, name, prefix=repr(value[0])))
    return problems


def parse_csv(text: str, path: Path, model: type[Row], limits: Limits) -> tuple[Table | None, list[Problem]]:
    """Parse CSV text into a Table, reporting every structural problem with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return None, [problem("csv-error", path, 1, detail="file is empty")]
        expected = list(model.model_fields)
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            return None, [problem("duplicate-header", path, 1, duplicated[0], names=duplicated)]
        if header != expected:
            missing = [name for name in expected if name not in header]
            extra = [name for name in header if name not in expected]
            detail = f"expected {expected}"
            if missing:
                detail += f"; missing {missing}"
            if extra:
                detail += f"; unexpected {extra}"
            return None, [problem("header-mismatch", path, 1, detail=detail)]
        table = Table(path, header)
        line = reader.line_num + 1
        for cells in reader:
            if len(cells) != len(header):
                problems.append(problem("row-length", path, line, found=len(cells), expected=len(header)))
            else:
                row = dict(zip(header, cells, strict=True))
                problems += cell_problems(row, model, path, line, limits)
                table.rows.append(row)
                table.lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        return None, [*problems, problem("csv-error", path, reader.line_num, detail=str(error))]
    return table, problems


def read_table(path: Path, model: type[Row], within: Path, limits: Limits) -> tuple[Table | None, list[Problem]]:
    text, problems = read_text(path, within, limits)
    if text is None:
        return None, problems
    return parse_csv(text, path, model, limits)
