"""The checks `validate` runs, in order, each with every code it can report.

To add a check, write `check_…(layout, tables)` in the module of its kind (a rule across tables
in curation.py), give its codes catalogue entries (problems.py), declare it in `CHECKS` and add
a fixture that provokes each code. The tests hold every check to its declared codes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..build import interrupted
from ..problems import codes
from . import Check
from .provenance import check_provenance

if TYPE_CHECKING:
    from ..package import Layout, TypedTable
    from ..problems import Problem
    from . import Run

# What reading one file can report (tables.read_bytes, tables.decode_text).
FILE_CODES = frozenset({"file-missing", "unsafe-path", "file-too-large", "bom", "encoding-error", "control-character"})

# What reading the package can report before any check runs (`validate.read_package`): the
# descriptor vetted, each table read (one that cannot be read stops the checks: `structure-first`),
# its cells typed and checked against its Table Schema, the rows in error explained by the row
# model, and the descriptor compared with what `build` writes.
READING_CODES = FILE_CODES | {
    "descriptor-invalid",
    "unknown-profile",
    "unsupported-hash",
    "csv-error",
    "header-mismatch",
    "duplicate-header",
    "row-length",
    "cell-too-large",
    "formula-injection",
    "structure-first",
    "byte-count",
    "hash-mismatch",
    "blank-row",
    "type-error",
    "constraint-error",
    "unique-error",
    "primary-key",
    "foreign-key",
    "row-invalid",
    "descriptor-mismatch",
}


def check_build_finished(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    return interrupted(layout)


def deferred(module: str, function: str) -> Run:
    """The check `function` of checks/`module`.py, imported when it first runs.

    `validate --rows-only` runs no "tables" check, and so never imports their modules
    (jsonschema alone takes 50 ms to import).
    """

    def run(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
        check: Run = getattr(importlib.import_module(f"{__package__}.{module}"), function)
        return check(layout, tables)

    return run


CHECKS: tuple[Check, ...] = (
    Check("build-finished", "files", check_build_finished, frozenset({"build-interrupted", "stale-temp-file"})),
    Check(
        "provenance",
        "rows",
        check_provenance,
        codes("provenance") | {"unsafe-path", "file-too-large", "encoding-error"},
    ),
    Check(
        "json-tables",
        "tables",
        deferred("generated", "check_json_tables"),
        FILE_CODES | {"json-schema", "json-stale"},
        beside=True,
    ),
    Check("sources-present", "tables", deferred("curation", "check_sources_present"), frozenset({"source-missing"})),
    Check(
        "speakers",
        "tables",
        deferred("curation", "check_speakers"),
        frozenset({"unknown-entity", "speaker-type", "utterance-speaker-conflict"}),
    ),
    Check(
        "event-dates", "tables", deferred("curation", "check_event_dates"), frozenset({"date-order", "date-precision"})
    ),
    Check(
        "entities-used",
        "tables",
        deferred("curation", "check_entities_used"),
        frozenset({"entity-unreferenced", "alias-unattested"}),
    ),
    Check("releases", "tables", deferred("released", "check_releases"), FILE_CODES | codes("released")),
    Check(
        "expectations", "tables", deferred("expectations", "check_expectations"), FILE_CODES | codes("suite", "rule")
    ),
)
