"""Reading the CSV tables strictly: no guessing, no silent repair."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .models import Row
from .problems import Problem, problem


@dataclass
class Table:
    """The cells of one CSV file, as strings, with the line each row starts on."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [problem("file-missing", path, detail=str(path))]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        return None, [problem("encoding-error", path, detail=str(error))]


def parse_csv(text: str, path: Path, model: type[Row]) -> tuple[Table | None, list[Problem]]:
    """Parse CSV text into a Table, reporting every structural problem with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return None, [problem("csv-error", path, 1, detail="file is empty")]
        expected = list(model.model_fields)
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
                table.rows.append(dict(zip(header, cells, strict=True)))
                table.lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        return None, [*problems, problem("csv-error", path, reader.line_num, detail=str(error))]
    return table, problems


def read_table(path: Path, model: type[Row]) -> tuple[Table | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return parse_csv(text, path, model)
