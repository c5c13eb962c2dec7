"""`newsfacts validate`: run every check on a package and collect the problems."""

from __future__ import annotations

from .checks.curation import check_curation
from .checks.descriptor import check_descriptor
from .checks.expectations import check_expectations
from .checks.frictionless_check import check_frictionless
from .checks.generated import check_json_tables
from .checks.provenance import check_spans, load_seed_texts
from .package import Layout, load_tables
from .problems import Problem, problem

# Problems that mean a file could not be read as a table at all.
STRUCTURAL = {
    "file-missing",
    "encoding-error",
    "csv-error",
    "header-mismatch",
    "row-length",
    "unsafe-path",
    "file-too-large",
    "bom",
    "control-character",
    "duplicate-header",
}
# Frictionless cell errors that repeat what the row model already said about the same cell.
CELL_ERRORS = {"type-error", "constraint-error"}


def _without_repeats(found: list[Problem], known: list[Problem]) -> list[Problem]:
    cells = {(p.path, p.line, p.field) for p in known if p.code == "row-invalid"}
    return [p for p in found if not (p.code in CELL_ERRORS and (p.path, p.line, p.field) in cells)]


def validate(layout: Layout) -> list[Problem]:
    """All problems found in the package, sorted by file and line."""
    if not layout.descriptor.is_file():
        return [problem("file-missing", layout.descriptor, detail="no datapackage.json; run `newsfacts build`")]
    descriptor_problems = check_descriptor(layout)
    tables, problems = load_tables(layout)
    unreadable = {p.path for p in problems if p.code in STRUCTURAL}
    problems += descriptor_problems
    if unreadable:
        # Later checks would only repeat what is wrong with these files, in other words.
        return _sorted([*problems, problem("structure-first", layout.descriptor, count=len(unreadable))])
    if not descriptor_problems:
        problems += _without_repeats(check_frictionless(layout, tables), problems)
    problems += check_json_tables(layout, tables)
    seed_texts, seed_problems = load_seed_texts(layout, tables)
    problems += seed_problems
    problems += check_spans(tables, seed_texts)
    problems += check_curation(tables)
    problems += check_expectations(layout, tables)
    return _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.code, p.message))
