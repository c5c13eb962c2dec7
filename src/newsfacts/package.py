"""The package on disk (`Layout`), and reading its tables.

Three names for three things: `Layout` is the package on disk; `engine.RawTable` a table as
read (its cells as strings); `TypedTable` a table as typed rows. `read_tables` is the one way in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .cells import CellError
from .engine import RawTable, read_table
from .limits import Limits
from .models import MODELS, TABLES, Row
from .models.metadata import DESCRIPTIVE_KEYS, metadata_errors
from .problems import Problem, did_you_mean, problem
from .progress import Progress
from .tables import LINE, parse_toml, read_text

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Layout:
    """The files of a newsfacts project: the package directory (with its seeds/) and, beside it, schema/."""

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
    def croissant(self) -> Path:
        """The Croissant (MLCommons) description of the package, for ML tooling."""
        return self.package_dir / "croissant.json"

    @property
    def schema_org(self) -> Path:
        """The schema.org `Dataset` description of the package, for dataset search engines."""
        return self.package_dir / "dataset.jsonld"

    @property
    def citation(self) -> Path:
        """How to cite the package (Citation File Format), and when its version was released."""
        return self.root / "CITATION.cff"

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
        return self.package_dir / "seeds"

    def seed(self, seed_file: str) -> Path:
        return self.package_dir / seed_file


@dataclass(frozen=True)
class TypedTable:
    """A table as typed rows: the rows of its CSV that its row model accepts, typed by the one cell
    grammar (cells.py), for the checks.

    `frame` has the model's columns (integers as Int64, dates as Date, the rest as String, an
    empty cell as null) and `engine.LINE`, the CSV line each row starts on.
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


def read_tables(layout: Layout) -> tuple[dict[str, RawTable], list[Problem]]:
    """Every table of the package as read (`validate` and `build` read them here, and nowhere else);
    a table whose file cannot be read is left out, and its problems returned."""
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    with Progress("reading tables", len(TABLES)) as progress:
        for model in TABLES:
            path = layout.csv(model.resource_name)
            table, read_problems = read_table(path, model, layout.package_dir, layout.limits)
            problems += read_problems
            if table is not None:
                tables[model.resource_name] = table
            progress.advance(label=f"reading {model.resource_name}")
    return tables, problems


def parse_row(model: type[Row], cells: dict[str, str | None], path: Path, line: int) -> Row | list[Problem]:
    """One row as its model reads it (an empty cell is missing), or its `row-invalid` problems, one per field."""
    try:
        return model.model_validate({name: value or None for name, value in cells.items()})
    except ValidationError as error:
        return [
            problem(
                "row-invalid", path, line, str(detail["loc"][0]) if detail["loc"] else None, detail=_message(detail)
            )
            for detail in error.errors()
        ]


def _message(detail: Any) -> str:
    """What pydantic found, said as how to fix it: a cell grammar's own message (cells.py) without
    pydantic's `Value error, `, and a value outside an enumeration with the values allowed and the
    nearest of them."""
    if detail["type"] == "value_error" and isinstance(detail.get("ctx", {}).get("error"), CellError):
        return str(detail["ctx"]["error"])
    if detail.get("input", "") is None:  # an empty cell where the model needs a value
        return "the cell is empty, but this field is required: give its value"
    if detail["type"] == "literal_error" and isinstance(detail.get("input"), str):
        allowed = re.findall(r"'([^']*)'", detail["ctx"]["expected"])
        listed = ", ".join(allowed)
        return f"{detail['input']!r} is not one of: {listed}{did_you_mean(detail['input'], allowed)}"
    return str(detail["msg"])


def explain_rows(table: RawTable, lines: set[int]) -> tuple[list[Problem], set[int]]:
    """The row model's account of the rows at `lines` (those the engine flagged), and the lines of
    those it rejects. The engine flags every row the model would reject (tests/test_engine.py)."""
    import polars as pl

    model = MODELS[table.name]
    problems: list[Problem] = []
    rejected: set[int] = set()
    for row in table.data.filter(pl.col(LINE).is_in(sorted(lines))).iter_rows(named=True):
        line = row.pop(LINE)
        parsed = parse_row(model, row, table.path, line)
        if isinstance(parsed, list):
            rejected.add(line)
            problems += parsed
    return problems, rejected


MAX_METADATA_ERRORS = 20


def descriptive_problems(values: dict[str, Any], path: Path, prefix: str = "") -> list[Problem]:
    """The descriptive keys of VALUES (a descriptor, or metadata.toml's [package]) that hold what the Data
    Package profile does not allow (`licenses: 5`, a contributor's title null), as descriptor-invalid at
    PATH: a client refuses such a descriptor, and `build` and the discovery files read these keys as the
    profile says (`models.metadata.PackageMetadata`)."""
    described = {key: value for key, value in values.items() if key in DESCRIPTIVE_KEYS}
    return [
        problem(
            "descriptor-invalid", path, None, prefix + where, detail=f"not what the Data Package profile allows: {why}"
        )
        for where, why in sorted(metadata_errors(described))[:MAX_METADATA_ERRORS]
    ]


def load_metadata(layout: Layout) -> tuple[dict[str, Any] | None, list[Problem]]:
    """metadata.toml, once its [package] table holds only descriptive keys, each as the profile allows."""
    text, problems = read_text(layout.metadata, layout.package_dir, layout.limits)
    if text is None:
        return None, problems
    try:
        metadata = parse_toml(text)
    except ValueError as error:
        return None, [problem("descriptor-invalid", layout.metadata, detail=str(error))]
    if not isinstance(metadata.get("package"), dict):
        return None, [problem("descriptor-invalid", layout.metadata, detail="expected a [package] table")]
    package = metadata["package"]
    problems = descriptive_problems(package, layout.metadata, "package.")
    problems += [
        problem("descriptor-invalid", layout.metadata, None, f"package.{key}", detail="not a descriptive key")
        for key in sorted(set(package) - DESCRIPTIVE_KEYS)
    ]
    return (None, problems) if problems else (metadata, [])
