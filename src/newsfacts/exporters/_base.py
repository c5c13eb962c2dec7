"""What every export format shares: its registry entry, reading the package, and leaving existing files alone.

Every format writes the tables `read_package` returns: exactly what `load()` returns, with the
descriptor that describes them.

A format module imports no data library at import time (the registry is read by
`newsfacts export --help`, which must stay fast); its functions import what they use.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..problems import NewsfactsError

if TYPE_CHECKING:
    from ..loader import Resource, Source


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


def read_package(source: Source) -> tuple[dict[str, Any], list[Resource]]:
    """The package's descriptor and every table, as `load()` reads them (see `loader.load_resources`).

    The loader checks only the descriptor's resources: a package-level value may be of any type, so
    a format checks each one it shows (`text`, `web_url`).
    """
    from ..loader import open_package, read_resources  # imported here: pandas is slow to import

    with open_package(source) as package:
        return package.descriptor, read_resources(package)


def described(descriptor: dict[str, Any], resource: Resource) -> dict[str, Any]:
    """The descriptor's entry for a table (its title and description); the loader read the table from it."""
    return next(entry for entry in descriptor["resources"] if entry["name"] == resource.name)


def text(value: Any) -> str | None:
    """A descriptor value as text, if it is a non-blank string: a descriptor is untrusted input."""
    return value if isinstance(value, str) and value.strip() else None


def web_url(value: Any) -> str | None:
    """A descriptor value as an http(s) URL, if it is one (a source's `path` may be a file of the package)."""
    url = text(value)
    if url is None or any(character.isspace() for character in url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # `http://[x`: a bracket that opens no IPv6 address is no URL
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def required_fields(schema: dict[str, Any]) -> set[str]:
    """The fields that may not be empty: those marked `required`, and the primary key's (Table Schema
    makes every primary-key field required)."""
    marked = {field["name"] for field in schema["fields"] if field.get("constraints", {}).get("required") is True}
    return marked | set(schema.get("primaryKey", []))
