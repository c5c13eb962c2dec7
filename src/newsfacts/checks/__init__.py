"""The checks `validate` runs. Each is declared beside its function with `@check`, with every code it can report.

A check is a function `check_…(layout, tables) -> list[Problem]`, where `tables` holds each
table's valid rows (`package.TypedTable`) by resource name. It never prints: it returns problems
with codes from the catalogue (problems.py), and only the codes its `Check` declares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..package import Layout, TypedTable
    from ..problems import Problem

    Run = Callable[[Layout, dict[str, TypedTable]], list[Problem]]

# What reading one file can report (tables.read_bytes, tables.decode_text).
FILE_CODES = frozenset({"file-missing", "unsafe-path", "file-too-large", "bom", "encoding-error", "control-character"})

# When a check runs:
# - "files": in every `validate`, whatever else is wrong; it reads files, not tables (it may get none);
# - "rows": on the tables' valid rows, once every table could be read; also in `validate --rows-only`
#   and before `newsfacts report`;
# - "tables": after the "rows" checks, in the full `validate` only.
Stage = Literal["files", "rows", "tables"]


@dataclass(frozen=True)
class Check:
    name: str
    stage: Stage
    run: Run
    codes: frozenset[str]
    # Run in a worker thread beside the other checks: it works mostly in polars, without the GIL.
    beside: bool = False


# Every declared check, in the order their modules were imported and, within one, written:
# registry.py orders them by module (`MODULES`), keeping this order within a module.
DECLARED: list[Check] = []


def check(name: str, stage: Stage, codes: Iterable[str], beside: bool = False) -> Callable[[Run], Run]:
    """Declare the decorated function a check of `stage` that reports only `codes` (catalogued in problems.py)."""

    def declare(run: Run) -> Run:
        DECLARED.append(Check(name, stage, run, frozenset(codes), beside))
        return run

    return declare
