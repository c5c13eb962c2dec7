"""frictionless-py's validation of a whole package (types, constraints, keys, hash and bytes) as newsfacts
problems: the oracle that tests/test_engine.py holds the columnar engine to. (CI also runs
`frictionless validate` on the project's package: tests/test_cli.py.)"""

from __future__ import annotations

from newsfacts.engine import RawTable
from newsfacts.models import MODELS
from newsfacts.package import Layout
from newsfacts.problems import CATALOGUE, Problem, problem
from newsfacts.tables import LINE

# frictionless's error types that the catalogue names otherwise; the others keep frictionless's names.
FRICTIONLESS_CODES = {"hash-count": "hash-mismatch"}


def _line(table: RawTable | None, row_number: int | None) -> int | None:
    """Map frictionless's row number (header = 1) to the CSV line the row starts on."""
    if row_number is None:
        return None
    if table is not None and 0 <= row_number - 2 < table.data.height:
        return int(table.data.get_column(LINE)[row_number - 2])
    return row_number


def check_frictionless(layout: Layout, tables: dict[str, RawTable]) -> list[Problem]:
    """Frictionless's findings, each mapped to the CSV line it concerns.

    Call it only after `check_descriptor` passed (frictionless would follow unsafe paths) and on
    tables that parsed (on a broken CSV it repeats one defect as a cascade of cell errors).
    """
    from frictionless import Package, system

    problems: list[Problem] = []
    try:
        with system.use_context(trusted=False):
            package = Package(str(layout.descriptor))
            report = package.validate()
    except Exception as error:  # frictionless raises many types for a broken descriptor
        return [problem("descriptor-invalid", layout.descriptor, detail=str(error))]
    for package_error in report.errors:
        problems.append(problem("descriptor-invalid", layout.descriptor, detail=package_error.message))
    for task in report.tasks:
        table = tables.get(task.name)
        path = layout.csv(task.name) if task.name in MODELS else layout.descriptor
        for task_error in task.errors:
            code = FRICTIONLESS_CODES.get(task_error.type, task_error.type)
            code = code if code in CATALOGUE else "frictionless-error"
            field_names = getattr(task_error, "field_names", None) or [getattr(task_error, "field_name", None)]
            if task_error.type == "primary-key" and task.name in MODELS:
                field_names = [",".join(MODELS[task.name].primary_key)]
            problems.append(
                problem(
                    code,
                    path,
                    _line(table, getattr(task_error, "row_number", None)),
                    field_names[0],
                    detail=task_error.message,
                )
            )
    return problems
