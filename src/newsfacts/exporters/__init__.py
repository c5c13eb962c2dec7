"""The formats of `newsfacts export --to`, by name: the command's choices, help and dispatch.

Each format is one module with an `EXPORTER` (see `_base.Exporter`), registered by one line
here. Every format starts from what `newsfacts.load()` reads (`_base.read_package`, or for the
FtM export, which also reads the seed texts, `loader.open_package`), typed by `cells.py`, with the
descriptor that describes it, and writes through
`atomic.atomic_write_all`: an export that fails leaves no partial file behind, and an existing
file is only replaced on request.
"""

from __future__ import annotations

from . import ftm, parquet, sqlite
from ._base import Exporter

EXPORTERS: dict[str, Exporter] = {
    "sqlite": sqlite.EXPORTER,
    "parquet": parquet.EXPORTER,
    "ftm": ftm.EXPORTER,
}
