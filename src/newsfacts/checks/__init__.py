"""The checks `validate` runs. registry.py lists them in order, each with every code it can report.

A check is a function `check_…(layout, tables) -> list[Problem]`, where `tables` holds each
table's valid rows (`package.TypedTable`) by resource name. It never prints: it returns problems
with codes from the catalogue (problems.py), and only the codes its `Check` declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..package import Layout, TypedTable
    from ..problems import Problem

    Run = Callable[[Layout, dict[str, TypedTable]], list[Problem]]

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
