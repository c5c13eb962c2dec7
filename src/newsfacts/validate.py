"""`newsfacts validate`: read a package, run the declared checks on it and collect the problems.

The columnar engine (engine.py) reads the tables and makes frictionless's row-level checks;
frictionless itself is no longer run here (it is the oracle in tests/test_engine.py). The row
models parse only the rows the engine found in error, to explain them as `row-invalid`. The
checks that follow are declared beside their functions (`@check`), in the order of checks/registry.py.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .build import assemble_descriptor, file_resource_descriptor, package_sources, source_publishers
from .checks import Stage
from .checks.descriptor import FILE_FACTS, SHA256, build_problems, check_descriptor, load_descriptor
from .checks.registry import CHECKS
from .engine import RawTable, check_rows
from .models import MODELS, TABLES, Article, Entity
from .package import Layout, TypedTable, explain_rows, load_metadata, read_tables
from .problems import FIXED_BY_BUILD, Problem, codes, display_path, in_order, problem
from .progress import Progress
from .schemas import table_schema
from .tables import LINE

if TYPE_CHECKING:
    import polars as pl

# Problems that mean a file could not be read as a table at all (and `structure-first`, which says so).
STRUCTURAL = codes("structure")
# Engine cell errors that repeat what the row model already said about the same cell.
CELL_ERRORS = {"type-error", "constraint-error"}
# What reading finds wrong with a row or a cell (reading alone reports these).
ROW_ERRORS = codes("row")
# What keeps `newsfacts build` from running (build.generate): a file it cannot read as a table, a
# cell it will not write (too large, a formula), a row its model rejects, a primary key that repeats.
BUILD_REFUSES = STRUCTURAL | {"cell-too-large", "formula-injection", "row-invalid", "primary-key"}


def without_consequences(layout: Layout, found: list[Problem]) -> list[Problem]:
    """The problems without those that only follow from another one, so that one mistake is one problem.

    - While a row is in error, `build` refuses to run: the problems whose fix is to run it
      (`FIXED_BY_BUILD`) are held back, since their advice could not be followed; they show again
      once the rows are fixed, if the build is still needed.
    - A table's CSV whose hash differs from the descriptor's was edited since the last build: that
      `hash-mismatch` is the one problem; the byte count, its JSON copy and the descriptor are stale
      only because of it, and the same build refreshes them.
    - A cell in error at reading (a key that is no key, a value of the wrong type) is reported there;
      what a later check finds at the same cell (an utterance's speaker that differs) follows from it.
    """
    if any(p.code in BUILD_REFUSES for p in found):
        found = [p for p in found if p.code not in FIXED_BY_BUILD]
    edited = {p.path for p in found if p.code == "hash-mismatch"}
    stale = {
        display_path(layout.json(model.resource_name))
        for model in TABLES
        if display_path(layout.csv(model.resource_name)) in edited
    }
    if edited:
        stale |= edited | {display_path(layout.descriptor)}
    cells = {(p.path, p.line, p.field) for p in found if p.code in ROW_ERRORS and p.line and p.field}
    return [
        p
        for p in found
        if not (p.code in FIXED_BY_BUILD and p.code != "hash-mismatch" and p.path in stale)
        and not (p.code not in ROW_ERRORS and (p.path, p.line, p.field) in cells)
    ]


def _without_repeats(found: list[Problem], known: list[Problem]) -> list[Problem]:
    cells = {(p.path, p.line, p.field) for p in known if p.code == "row-invalid"}
    return [p for p in found if not (p.code in CELL_ERRORS and (p.path, p.line, p.field) in cells)]


def _as_checked(descriptor: Any) -> dict[str, Any]:
    """The models' Table Schemas, with the `bytes` and `hash` the descriptor records for each table.

    The rows are checked as the models say; the descriptor must say the same (`build_problems`),
    so a hostile schema in it (`"primaryKey": true`, a retyped field) is reported, never run.
    """
    recorded: dict[str, dict[str, Any]] = {}
    listed = descriptor.get("resources") if isinstance(descriptor, dict) else None
    for resource in listed if isinstance(listed, list) else []:  # any other value is descriptor-invalid
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
    layout: Layout, tables: dict[str, RawTable], articles: pl.DataFrame | None, entities: pl.DataFrame | None
) -> tuple[dict[str, Any], bool, list[Problem], set[str]]:
    """What `build` writes as datapackage.json for these files, whether that includes the package
    metadata, the problems of metadata.toml, and the keys left unchecked.

    The package metadata is there only where metadata.toml is at hand: in a release, `sources` and
    `contributors` are descriptive, as the release's toolkit wrote them. Otherwise `sources` is
    derived from the articles and `contributors` from the articles and entities (the publishers),
    each checked only when those tables are given, every row of them valid."""
    metadata, problems = load_metadata(layout) if layout.metadata.exists() else (None, [])
    package = metadata["package"] if metadata is not None else None
    sources = [] if articles is None else package_sources(layout, articles)
    publishers = [] if articles is None or entities is None else source_publishers(articles, entities)
    resources = [file_resource_descriptor(name, table.size, table.sha256) for name, table in tables.items()]
    expected = assemble_descriptor({"package": package or {}}, sources, publishers, resources)
    unchecked = set()
    if package is None or articles is None:
        unchecked.add("sources")
    if package is None or articles is None or entities is None:
        unchecked.add("contributors")
    for key in unchecked:
        expected.pop(key, None)
    return expected, package is not None, problems, unchecked


def valid_rows(typed: pl.DataFrame, rejected: set[int]) -> pl.DataFrame:
    import polars as pl

    return typed.filter(~pl.col(LINE).is_in(sorted(rejected))) if rejected else typed


def read_package(layout: Layout) -> tuple[dict[str, TypedTable], list[Problem]]:
    """Every table read and typed, with the problems found on the way (`checks.registry.READING_CODES`).

    Returns each table's valid rows for the checks, and no tables when a file cannot be read as a
    table at all.
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
        explained, rejected = explain_rows(table, checked.invalid_lines.get(name, set()))
        row_problems += explained
        valid[name] = valid_rows(checked.typed[name], rejected)
    problems += row_problems
    problems += _without_repeats(checked.problems, row_problems)
    if descriptor is not None:
        complete_tables = {
            name: valid[name]
            for name in (Article.resource_name, Entity.resource_name)
            if name in valid and not checked.invalid_lines.get(name)
        }
        expected, complete, metadata_problems, unchecked = expected_descriptor(
            layout, tables, complete_tables.get(Article.resource_name), complete_tables.get(Entity.resource_name)
        )
        problems += metadata_problems
        # A field already named by a sharper problem (`unsafe-path`, `unknown-profile`) is not repeated.
        named = {p.field for p in descriptor_problems}
        found = build_problems(layout, descriptor, expected, complete, unchecked)
        problems += [p for p in found if p.field not in named]
    # The cells as read are not kept, only their typed values: the checks that follow need the memory.
    valid_tables = {
        name: TypedTable(MODELS[name], table.path, valid[name], table.data.height) for name, table in tables.items()
    }
    return valid_tables, problems


def run_checks(stage: Stage, layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """The problems of one stage's checks, run in their declared order."""
    return [found for check in CHECKS if check.stage == stage for found in check.run(layout, tables)]


def check_rows_and_spans(layout: Layout) -> tuple[dict[str, TypedTable], list[Problem]]:
    """The row-level checks: the package read, and the "rows" checks (seeds and spans) on its valid rows.

    Returns the problems, and each table's valid rows for the table-level checks; no tables when
    a file cannot be read as a table at all.
    """
    tables, problems = read_package(layout)
    if tables:
        problems += run_checks("rows", layout, tables)
    return tables, problems


def validate(layout: Layout, rows_only: bool = False) -> list[Problem]:
    """All problems found in the package, sorted by file and line.

    `rows_only` stops after the row-level checks, skipping the table-level ones: the JSON tables,
    the curation rules, the releases and the suites.
    """
    if not rows_only:
        # Importing GX takes seconds of Python; the row checks mostly run in polars, without the
        # GIL, so the import runs beside them. The engine's own modules are imported first, so
        # that the two threads never wait on each other's imports.
        import polars  # noqa: F401
        import pyarrow.csv  # noqa: F401

        threading.Thread(target=_import_quietly, name="import-great-expectations").start()
    tables, problems = check_rows_and_spans(layout)
    problems += run_checks("files", layout, tables)
    if not rows_only and tables:
        problems += _table_checks(layout, tables)
    return in_order(without_consequences(layout, problems))


def _table_checks(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """The "tables" checks; those marked `beside` run in a worker thread while the others run here."""
    checks = [check for check in CHECKS if check.stage == "tables"]
    problems: list[Problem] = []
    with ThreadPoolExecutor(1) as pool, Progress("checking tables", len(checks)) as progress:
        beside = [(check, pool.submit(check.run, layout, tables)) for check in checks if check.beside]
        for check in checks:
            if not check.beside:
                progress.advance(0, label=f"checking {check.name}")
                problems += check.run(layout, tables)
                progress.advance()
        for check, found in beside:
            progress.advance(0, label=f"checking {check.name}")
            problems += found.result()
            progress.advance()
    return problems


def _import_quietly() -> None:
    """Import GX; an error is left for the import that needs it to report."""
    from .checks.expectations import import_great_expectations

    with contextlib.suppress(Exception):
        import_great_expectations()
