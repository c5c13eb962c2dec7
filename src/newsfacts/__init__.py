"""newsfacts: a curated, versioned data package of news coverage, and the toolkit that checks it.

`newsfacts.load()` and `newsfacts.load_table()` return the tables as typed pandas DataFrames.
They are imported on first use, so that `import newsfacts` (and `newsfacts --help`) stays fast,
and need only `pip install newsfacts`; the validation toolkit is `pip install 'newsfacts[toolkit]'`.
A package that cannot be read raises `newsfacts.NewsfactsError`, whose `code` is one of
docs/problems.md; `newsfacts.LoadError` is another name for it, kept for existing code.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .problems import NewsfactsError

if TYPE_CHECKING:
    from .loader import load, load_table

try:
    __version__ = version("newsfacts")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

LoadError = NewsfactsError

__all__ = ["LoadError", "NewsfactsError", "__version__", "load", "load_table"]

_LOADER_NAMES = ("load", "load_table")


def __getattr__(name: str) -> Any:
    if name in _LOADER_NAMES:
        return getattr(importlib.import_module(".loader", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
