"""`newsfacts validate`: run every check on a package and collect the problems.

The columnar engine (engine.py) reads the tables and makes frictionless's row-level checks;
frictionless itself is no longer run here (it is the oracle in tests/test_engine.py). The row
models parse only the rows the engine found in error, to explain them as `row-invalid`.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .build import assemble_descriptor, file_resource_descriptor, interrupted, source_title
from .checks.descriptor import FILE_FACTS, SHA256, build_problems, check_descriptor, load_descriptor
from .checks.provenance import check_spans, load_seed_texts
from .engine import LINE, EngineTable, check_rows, read
from .models import MODELS, TABLES
from .package import Layout, ValidTable, load_metadata, parse_row
from .problems import Problem, codes, problem
from .progress import Progress
from .schemas import table_schema

if TYPE_CHECKING:
    import polars as pl

# Problems that mean a file could not be read as a table at all.
STRUCTURAL = codes("structure")
# Engine cell errors that repeat what the row model already said about the same cell.
CELL_ERRORS = {"type-error", "constraint-error"}


def _without_repeats(found: list[Problem], known: list[Problem]) -> list[Problem]:
    cells = {(p.path, p.line, p.field) for p in known if p.code == "row-invalid"}
    return [p for p in found if not (p.code in CELL_ERRORS and (p.path, p.line, p.field) in cells)]


def read_tables(layout: Layout) -> tuple[dict[str, EngineTable], list[Problem]]:
    tables: dict[str, EngineTable] = {}
    problems: list[Problem] = []
    with Progress("reading tables", len(TABLES)) as progress:
        for model in TABLES:
            table, read_problems = read(layout.csv(model.resource_name), model, layout.package_dir, layout.limits)
            problems += read_problems
            if table is not None:
                tables[model.resource_name] = table
            progress.advance(label=f"reading {model.resource_name}")
    return tables, problems


def _row_invalid(table: EngineTable, lines: set[int]) -> tuple[list[Problem], set[int]]:
    """The row model's account of the rows the engine flagged, and the lines of those it rejects."""
    import polars as pl

    model = MODELS[table.name]
    problems: list[Problem] = []
    rejected: set[int] = set()
    flagged = table.data.filter(pl.col(LINE).is_in(sorted(lines)))
    for row in flagged.iter_rows(named=True):
        line = row.pop(LINE)
        parsed, row_problems = parse_row(model, {name: value or "" for name, value in row.items()}, table.path, line)
        if parsed is None:
            rejected.add(line)
            problems += row_problems
    return problems, rejected


def _as_checked(descriptor: Any) -> dict[str, Any]:
    """The models' Table Schemas, with the `bytes` and `hash` the descriptor records for each table.

    The rows are checked as the models say; the descriptor must say the same (`build_problems`),
    so a hostile schema in it (`"primaryKey": true`, a retyped field) is reported, never run.
    """
    recorded: dict[str, dict[str, Any]] = {}
    for resource in descriptor.get("resources", []) if isinstance(descriptor, dict) else []:
        if isinstance(resource, dict) and isinstance(resource.get("name"), str):
            recorded.setdefault(resource["name"], resource)
    resources = []
    for model in TABLES:
        resource = recorded.get(model.resource_name, {})
        # A hash that is not sha256 is `unsupported-hash` already; it is not compared with the file.
        facts = {
            key: resource[key]
            for key in FILE_FACTS
            if key in resource and (key != "hash" or SHA256.match(str(resource[key])))
        }
        resources.append({"name": model.resource_name, "schema": table_schema(model), **facts})
    return {"resources": resources}


def expected_descriptor(
    layout: Layout, tables: dict[str, EngineTable], articles: pl.DataFrame | None
) -> tuple[dict[str, Any], bool, list[Problem]]:
    """What `build` writes as datapackage.json for these files, whether that includes the package
    metadata, and the problems of metadata.toml. The sources are there only when every article row
    is valid, and the package metadata only where metadata.toml is at hand (not in a release)."""
    metadata, problems = load_metadata(layout) if layout.metadata.exists() else (None, [])
    package = metadata["package"] if metadata is not None else None
    sources = (
        []
        if articles is None
        else [source_title(title, seed) for title, seed in articles.select("title", "seed_file").iter_rows()]
    )
    resources = [file_resource_descriptor(name, table.size, table.sha256) for name, table in tables.items()]
    expected = assemble_descriptor({"package": package or {}}, sources, resources)
    if articles is None:
        del expected["sources"]
    return expected, package is not None, problems


def valid_rows(typed: pl.DataFrame, rejected: set[int]) -> pl.DataFrame:
    import polars as pl

    return typed.filter(~pl.col(LINE).is_in(sorted(rejected))) if rejected else typed


def check_rows_and_spans(layout: Layout) -> tuple[dict[str, ValidTable], list[Problem]]:
    """The row-level checks (structure, types, constraints, keys, hashes, seeds and spans).

    Returns the problems, and each table's valid rows for the table-level checks; no tables when
    a file cannot be read as a table at all.
    """
    if not layout.descriptor.is_file():
        return {}, [problem("file-missing", layout.descriptor, detail="no datapackage.json; run `newsfacts build`")]
    descriptor_problems = check_descriptor(layout)
    tables, problems = read_tables(layout)
    unreadable = {p.path for p in problems if p.code in STRUCTURAL}
    problems += descriptor_problems
    if unreadable:
        # Later checks would only repeat what is wrong with these files, in other words.
        return {}, [*problems, problem("structure-first", layout.descriptor, count=len(unreadable))]

    descriptor, _ = load_descriptor(layout)
    checked = check_rows(tables, _as_checked(descriptor))
    valid: dict[str, pl.DataFrame] = {}
    row_problems: list[Problem] = []
    for name, table in tables.items():
        explained, rejected = _row_invalid(table, checked.invalid_lines.get(name, set()))
        row_problems += explained
        valid[name] = valid_rows(checked.typed[name], rejected)
    problems += row_problems
    problems += _without_repeats(checked.problems, row_problems)
    if descriptor is not None:
        articles_complete = "articles" in valid and not checked.invalid_lines.get("articles")
        expected, complete, metadata_problems = expected_descriptor(
            layout, tables, valid["articles"] if articles_complete else None
        )
        problems += metadata_problems
        # A field already named by a sharper problem (`unsafe-path`, `unknown-profile`) is not repeated.
        named = {p.field for p in descriptor_problems}
        found = build_problems(layout, descriptor, expected, complete)
        problems += [p for p in found if p.field not in named]
    paths = {name: table.path for name, table in tables.items()}
    row_counts = {name: table.data.height for name, table in tables.items()}
    # The cells as read are no longer needed, only their typed values: free them before the spans.
    del tables, checked

    articles = valid.get("articles")
    seed_rows = articles.select("article_id", "seed_file", "sha256", LINE).iter_rows() if articles is not None else []
    articles_path = layout.csv("articles")
    seeds, seed_problems = load_seed_texts(layout, articles_path, seed_rows)
    problems += seed_problems
    problems += check_spans(paths, valid, seeds)
    valid_tables = {
        name: ValidTable(MODELS[name], paths[name], frame, row_counts[name]) for name, frame in valid.items()
    }
    return valid_tables, problems


def validate(layout: Layout, rows_only: bool = False) -> list[Problem]:
    """All problems found in the package, sorted by file and line.

    `rows_only` stops after the row-level checks, skipping the JSON tables, the curation rules
    and the suites.
    """
    if not rows_only:
        # Importing GX takes seconds of Python; the row checks mostly run in polars, without the
        # GIL, so the import runs beside them. The engine's own modules are imported first, so
        # that the two threads never wait on each other's imports.
        import polars  # noqa: F401
        import pyarrow.csv  # noqa: F401

        threading.Thread(target=_import_quietly, name="import-great-expectations").start()
    tables, problems = check_rows_and_spans(layout)
    problems += interrupted(layout)
    if rows_only or not tables:
        return _sorted(problems)

    from .checks.curation import check_curation
    from .checks.expectations import check_expectations
    from .checks.generated import check_json_tables
    from .checks.released import check_releases

    # The JSON tables are compared in polars, mostly without the GIL, while the suites run in Python.
    with ThreadPoolExecutor(1) as pool, Progress("checking curation rules", 3) as progress:
        json_problems = pool.submit(check_json_tables, layout, tables)
        problems += check_curation(tables)
        problems += check_releases(layout)
        progress.advance(label="running expectation suites")
        problems += check_expectations(layout, tables)
        progress.advance(label="checking JSON tables")
        problems += json_problems.result()
        progress.advance()
    return _sorted(problems)


def _import_quietly() -> None:
    """Import GX; an error is left for the import that needs it to report."""
    from .checks.expectations import import_great_expectations

    with contextlib.suppress(Exception):
        import_great_expectations()


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.code, p.message))
