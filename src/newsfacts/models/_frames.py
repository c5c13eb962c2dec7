"""Building blocks of the derived columns (`Row.derive`), which the expectation suites name.

polars is imported inside each function: importing the models must stay light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def number(ids: pl.Expr) -> pl.Expr:
    """The second `-`/`_`/`/`-separated part of each identifier, e.g. 000 of art-000."""
    return ids.str.extract(r"^[^-_/]*[-_/]([^-_/]*)", 1)


def matched(frame: pl.DataFrame, other: pl.DataFrame, key: str) -> pl.DataFrame:
    """`frame` with the columns of `other` matched on `key`, row order kept (failures are positions)."""
    return frame.join(other, on=key, how="left", maintain_order="left")


def counts(frames: Mapping[str, pl.DataFrame], table: str, key: str, alias: str) -> pl.DataFrame:
    """How many rows of `table` have each value of `key` (as `alias`); nothing when the table is absent."""
    import polars as pl

    counted = frames.get(table)
    if counted is None:
        return pl.DataFrame(schema={key: pl.String, alias: pl.UInt32})
    return counted.group_by(key).agg(pl.len().alias(alias))
