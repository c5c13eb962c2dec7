"""Where a package's files live, and loading its tables into typed rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .engine import LINE, EngineTable, read
from .limits import Limits
from .models import TABLES, Row
from .problems import Problem, problem
from .tables import Table, parse_toml, read_text

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Layout:
    """The files of a newsfacts project: the package directory and, beside it, seeds/ and schema/."""

    package_dir: Path
    limits: Limits = field(default_factory=Limits)

    @property
    def root(self) -> Path:
        return self.package_dir.parent

    @property
    def descriptor(self) -> Path:
        return self.package_dir / "datapackage.json"

    @property
    def metadata(self) -> Path:
        return self.package_dir / "metadata.toml"

    @property
    def dictionary(self) -> Path:
        return self.package_dir / "README.md"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    @property
    def problems_doc(self) -> Path:
        """The catalogue of problem codes; `build` writes it where the project has a docs/ folder."""
        return self.root / "docs" / "problems.md"

    def csv(self, table: str) -> Path:
        return self.package_dir / "data" / f"{table}.csv"

    def json(self, table: str) -> Path:
        return self.package_dir / "data" / f"{table}.json"

    @property
    def expectations_dir(self) -> Path:
        return self.package_dir / "expectations"

    def expectations(self, table: str) -> Path:
        return self.expectations_dir / f"{table}.json"

    @property
    def releases_dir(self) -> Path:
        """The record of every release (a project's, not a package's: release zips do not have it)."""
        return self.root / "releases"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    def seed(self, seed_file: str) -> Path:
        return self.root / seed_file


@dataclass
class LoadedTable:
    """A CSV table with each valid row parsed into its model; `records` are the JSON-ready values."""

    model: type[Row]
    table: Table
    rows: list[Row] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ValidTable:
    """The rows of a CSV table that its row model accepts, typed by the engine, for the table-level checks.

    `frame` has the model's columns (integers as Int64, dates
    as Date, the rest as String, an empty cell as null) and `engine.LINE`, the CSV line each row
    starts on.
    """

    model: type[Row]
    path: Path
    frame: pl.DataFrame
    row_count: int  # rows in the CSV, valid or not

    @property
    def name(self) -> str:
        return self.model.resource_name

    @property
    def complete(self) -> bool:
        """True when every CSV row is valid, so the table can be compared whole with another."""
        return self.frame.height == self.row_count


def cells_to_values(cells: dict[str, str]) -> dict[str, str | None]:
    """An empty CSV cell is a missing value."""
    return {name: (value if value != "" else None) for name, value in cells.items()}


def parse_row(model: type[Row], cells: dict[str, str], path: Path, line: int) -> tuple[Row | None, list[Problem]]:
    """One row as its model reads it, or the model's `row-invalid` problems, one per field."""
    try:
        return model.model_validate(cells_to_values(cells)), []
    except ValidationError as error:
        return None, [
            problem("row-invalid", path, line, str(detail["loc"][0]) if detail["loc"] else None, detail=detail["msg"])
            for detail in error.errors()
        ]


def parse_rows(table: Table, model: type[Row]) -> tuple[LoadedTable, list[Problem]]:
    loaded = LoadedTable(model, table)
    problems: list[Problem] = []
    for cells, line in zip(table.rows, table.lines, strict=True):
        row, row_problems = parse_row(model, cells, table.path, line)
        problems += row_problems
        if row is None:
            continue
        loaded.rows.append(row)
        loaded.records.append(row.model_dump(mode="json"))
        loaded.cells.append(cells)
        loaded.lines.append(line)
    return loaded, problems


def as_table(read_table: EngineTable) -> Table:
    """The engine's cells as rows of strings (a missing cell as ""), for the row models."""
    import polars as pl

    header = [name for name in read_table.data.columns if name != LINE]
    cells = read_table.data.select(pl.col(header).fill_null(""))
    return Table(read_table.path, header, cells.to_dicts(), read_table.data.get_column(LINE).to_list())


def load_tables(layout: Layout) -> tuple[dict[str, LoadedTable], list[Problem]]:
    """Read and parse every table of the package; tables that cannot be read are left out."""
    loaded: dict[str, LoadedTable] = {}
    problems: list[Problem] = []
    for model in TABLES:
        path = layout.csv(model.resource_name)
        read_table, read_problems = read(path, model, layout.package_dir, layout.limits)
        problems += read_problems
        if read_table is None:
            continue
        loaded[model.resource_name], row_problems = parse_rows(as_table(read_table), model)
        problems += row_problems
    return loaded, problems


def load_metadata(layout: Layout) -> tuple[dict[str, Any] | None, list[Problem]]:
    text, problems = read_text(layout.metadata, layout.package_dir, layout.limits)
    if text is None:
        return None, problems
    try:
        metadata = parse_toml(text)
    except ValueError as error:
        return None, [problem("descriptor-invalid", layout.metadata, detail=str(error))]
    if not isinstance(metadata.get("package"), dict):
        return None, [problem("descriptor-invalid", layout.metadata, detail="expected a [package] table")]
    return metadata, []


def primary_key(row: Row) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in row.primary_key)
