"""What every export format shares: its registry entry, and leaving existing files alone.

Every format writes the tables `loader.load_resources` returns: exactly what `load()` returns.

A format module imports no data library at import time (the registry is read by
`newsfacts export --help`, which must stay fast); its functions import what they use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..problems import NewsfactsError

if TYPE_CHECKING:
    from ..loader import Source


class Export(Protocol):
    def __call__(self, output: Path, source: Source = None, /, force: bool = False) -> list[Path]:
        """Write the package at `source` to `output`; return the files changed, or raise NewsfactsError."""
        ...


@dataclass(frozen=True)
class Exporter:
    """One format of `newsfacts export --to`: what it writes, for the command's help, and how."""

    description: str  # one line: what `--to <format> OUTPUT` writes
    output: str  # what OUTPUT names
    export: Export


def refuse_overwrite(paths: Sequence[Path], force: bool) -> None:
    """NewsfactsError("output-exists") unless each path is absent, or a file and `force` is given."""
    for path in paths:
        if path.is_dir():
            raise NewsfactsError("output-exists", f"{path} is a directory")
        if path.exists() and not force:
            raise NewsfactsError("output-exists", f"{path} exists; pass --force to replace it")
