"""The checks `validate` runs, in order, each with every code it can report.

Each check is declared beside its function (`@check` in checks/__init__.py). The modules are
listed in `MODULES` in the order their checks run; within a module, checks run in the order
they are written. To add a check, write `check_…(layout, tables)` with its `@check` in the module of its
kind (a rule across tables in curation.py), give its codes catalogue entries (problems.py) and
add a fixture spec that provokes each code (tests/fixtures/specs.py). A new module of checks is
one more entry in `MODULES`. The tests hold every check to its declared codes.

A check need not avoid repeating an earlier problem at the same cell, nor what a CSV edited without
`build` makes stale: `validate.without_consequences` holds those back, so that one mistake is one
problem. A check that reports something absent from a table waits until that table is complete
(`TypedTable.complete`), as curation.py says.
"""

from __future__ import annotations

from . import DECLARED, FILE_CODES, curation, expectations, generated, provenance, released

# The modules of checks, in the order their checks run.
MODULES = (provenance, generated, curation, released, expectations)
_PLACE = {module.__name__: place for place, module in enumerate(MODULES)}
# Within a module, its checks keep the order they are written in (`sorted` is stable).
CHECKS = tuple(sorted(DECLARED, key=lambda declared: _PLACE[declared.run.__module__]))

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
