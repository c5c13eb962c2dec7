"""Load the package's tables into pandas, typed by their Table Schemas.

Types are read from the descriptor (datapackage.json), never from the models, so a package
downloaded from a release loads as its own descriptor says, whatever version of this code
reads it. Every source is untrusted: resource paths must stay inside the package, files are
size-limited, and each CSV must match the hash the descriptor records.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import pandas as pd

from .archive import InflateBudget, UnsafeArchiveError, checked_entries, entry_chunks, open_zip
from .limits import Limits
from .paths import URL_SCHEME, resource_path_problem

DESCRIPTOR_NAME = "datapackage.json"
MAX_FILE_BYTES = Limits().max_file_bytes
URL_TIMEOUT_SECONDS = 30
# Table Schema's lexical forms (https://datapackage.org/standard/table-schema/#field-types).
INTEGER = re.compile(r"^[+-]?[0-9]+$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DEFAULT_TRUE_VALUES = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE_VALUES = ["false", "False", "FALSE", "0"]

Source = str | os.PathLike[str] | None
# archive.py's codes for a zip that the loader had already named otherwise; the loader's stay as they were.
ARCHIVE_CODES = {"zip-slip": "unsafe-path", "zip-corrupt": "zip-invalid"}


class LoadError(Exception):
    """A package that cannot be loaded. `code` is stable; the message says what is wrong and where."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Resource:
    """One table: its name, its Table Schema and its rows, typed as the schema declares."""

    name: str
    schema: dict[str, Any]
    frame: pd.DataFrame


@dataclass(frozen=True)
class Package:
    """A parsed descriptor, and how to read the files its resource paths name."""

    location: str
    descriptor: dict[str, Any]
    read: Callable[[str], bytes]


def load(source: Source = None) -> dict[str, pd.DataFrame]:
    """Every table of a newsfacts package as a typed DataFrame, by resource name.

    `source` is the package bundled with newsfacts (None, the default), a directory (a project
    directory holding `datapackage/datapackage.json`, or the package directory itself), a
    `datapackage.json` file, a release `.zip`, or an http(s) URL of a `datapackage.json`.

    Dates are datetime64, integers nullable Int64, enums Categorical with the schema's
    categories in the schema's order, other text the pandas string dtype; an empty cell is
    missing. Primary keys stay plain columns, so tables join on them directly. Who said what,
    where:

    >>> import newsfacts
    >>> tables = newsfacts.load()
    >>> speakers = tables["entities"][["entity_id", "name"]].rename(
    ...     columns={"entity_id": "speaker_id", "name": "speaker"}
    ... )
    >>> articles = tables["articles"][["article_id", "title", "published_date"]]
    >>> quoted = tables["quotes"].merge(speakers, on="speaker_id").merge(articles, on="article_id")
    >>> len(quoted) == len(tables["quotes"])  # every quote has its speaker and its article
    True
    >>> quoted.loc[quoted["quote_id"] == "q-000-01", ["speaker", "published_date"]].to_numpy().tolist()
    [['Antony Blinken', Timestamp('2024-09-10 00:00:00')]]
    """
    with open_package(source) as package:
        return {resource.name: resource.frame for resource in read_resources(package)}


def load_table(name: str, source: Source = None) -> pd.DataFrame:
    """One table of a newsfacts package, typed as in `load()`; only that table's file is read."""
    with open_package(source) as package:
        for resource in _resource_descriptors(package):
            if resource["name"] == name:
                return _read_resource(package, resource).frame
        names = ", ".join(resource["name"] for resource in _resource_descriptors(package))
        raise LoadError("table-unknown", f"no table {name!r} in {package.location}; it has: {names}")


def read_resources(package: Package) -> list[Resource]:
    """Every table of an open package, in the descriptor's order (referenced tables first)."""
    return [_read_resource(package, resource) for resource in _resource_descriptors(package)]


def bundled_descriptor() -> Path:
    """The datapackage.json shipped inside the installed wheel, or the repository's in a development install."""
    here = Path(__file__).resolve().parent
    candidates = (
        here / "_bundled" / "datapackage" / DESCRIPTOR_NAME,
        here.parents[1] / "datapackage" / DESCRIPTOR_NAME,
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise LoadError("bundled-missing", f"no bundled package at {candidates[0]}; reinstall newsfacts")


@contextmanager
def open_package(source: Source = None) -> Iterator[Package]:
    """The package at `source` (see `load`), open for reading until the block ends."""
    if source is None:
        yield _directory_package(bundled_descriptor())
    elif isinstance(source, str) and URL_SCHEME.match(source):
        if urllib.parse.urlsplit(source).scheme.lower() not in ("http", "https"):
            raise LoadError("source-unsupported", f"{source}: only http(s) URLs are fetched")
        yield _url_package(source)
    else:
        path = Path(source)
        if not path.exists():
            raise LoadError("source-missing", f"{path} does not exist")
        if path.is_dir():
            yield _directory_package(_descriptor_in(path))
        elif path.suffix.lower() == ".zip":
            with _zip_package(path) as package:
                yield package
        else:
            yield _directory_package(path)


def _descriptor_in(directory: Path) -> Path:
    for candidate in (directory / "datapackage" / DESCRIPTOR_NAME, directory / DESCRIPTOR_NAME):
        if candidate.is_file():
            return candidate
    raise LoadError(
        "descriptor-missing", f"{directory} holds neither datapackage/{DESCRIPTOR_NAME} nor {DESCRIPTOR_NAME}"
    )


def _read_limited(stream: IO[bytes], where: str) -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise LoadError("file-too-large", f"{where} is larger than {MAX_FILE_BYTES} bytes")
    return data


def _vetted(path: Any, where: str) -> str:
    """A resource path that stays inside the package, or LoadError: it comes from an untrusted descriptor."""
    reason = resource_path_problem(path)
    if reason:
        raise LoadError("unsafe-path", f"{where}: {reason}")
    return PurePosixPath(path).as_posix()


def _parse_descriptor(data: bytes, location: str) -> dict[str, Any]:
    try:
        descriptor = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError("descriptor-invalid", f"{location}: {error}") from error
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise LoadError("descriptor-invalid", f"{location}: not a Data Package descriptor with a resources list")
    return descriptor


def _directory_package(descriptor_path: Path) -> Package:
    package_dir = descriptor_path.parent.resolve()

    def read_file(path: Path) -> bytes:
        try:
            with path.open("rb") as stream:
                return _read_limited(stream, str(path))
        except OSError as error:
            raise LoadError("file-missing", f"cannot read {path}: {error.strerror or error}") from error

    def read(path: str) -> bytes:
        target = package_dir / path
        if not target.resolve().is_relative_to(package_dir):
            raise LoadError("unsafe-path", f"{target} resolves outside {package_dir} (a symlink?)")
        return read_file(target)

    return Package(str(descriptor_path), _parse_descriptor(read_file(descriptor_path), str(descriptor_path)), read)


@contextmanager
def _zip_package(path: Path) -> Iterator[Package]:
    """A package read straight from the archive, each entry checked and inflated as `download` does."""
    with _as_load_error(path):
        archive = open_zip(path)
    with archive:
        with _as_load_error(path):
            entries = {info.filename: info for info in checked_entries(archive)}
        descriptors = [name for name in entries if PurePosixPath(name).name == DESCRIPTOR_NAME]
        if not descriptors:
            raise LoadError("descriptor-missing", f"{path} holds no {DESCRIPTOR_NAME}")
        # The release layout is datapackage/datapackage.json; the shallowest descriptor is the package's.
        shallowest = min(len(PurePosixPath(name).parts) for name in descriptors)
        top = [name for name in descriptors if len(PurePosixPath(name).parts) == shallowest]
        if len(top) > 1:
            raise LoadError("descriptor-ambiguous", f"{path} holds several packages: {', '.join(top)}")
        prefix = top[0][: -len(DESCRIPTOR_NAME)]
        budget = InflateBudget()

        def read_entry(name: str) -> bytes:
            if name not in entries:
                raise LoadError("file-missing", f"{path} has no member {name}")
            with _as_load_error(path):
                return b"".join(entry_chunks(archive, entries[name], budget))

        location = f"{path}:{top[0]}"
        yield Package(location, _parse_descriptor(read_entry(top[0]), location), lambda name: read_entry(prefix + name))


@contextmanager
def _as_load_error(path: Path) -> Iterator[None]:
    try:
        yield
    except UnsafeArchiveError as error:
        raise LoadError(ARCHIVE_CODES.get(error.code, error.code), f"{path}: {error}") from error


def _url_package(url: str) -> Package:
    def fetch(target: str) -> bytes:
        try:
            with urllib.request.urlopen(target, timeout=URL_TIMEOUT_SECONDS) as response:
                return _read_limited(response, target)
        except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
            raise LoadError("fetch-failed", f"cannot fetch {target}: {error}") from error

    def read(path: str) -> bytes:
        return fetch(urllib.parse.urljoin(url, urllib.parse.quote(path)))

    return Package(url, _parse_descriptor(fetch(url), url), read)


def _resource_descriptors(package: Package) -> list[dict[str, Any]]:
    resources = package.descriptor["resources"]
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            raise LoadError("descriptor-invalid", f"{package.location}: resources[{index}] has no name")
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not all(isinstance(field, dict) and "name" in field for field in fields):
            raise LoadError(
                "descriptor-invalid", f"{package.location}: resource {resource['name']} has no inline schema fields"
            )
        # A schema or dialect given as a path or URL would be one more file to fetch and trust.
        if not isinstance(resource.get("dialect", {}), dict):
            raise LoadError(
                "descriptor-invalid", f"{package.location}: resource {resource['name']}: inline the dialect"
            )
    return list(resources)


def _read_resource(package: Package, resource: dict[str, Any]) -> Resource:
    name = resource["name"]
    where = f"{package.location}: resource {name}"
    if resource.get("format", "csv") != "csv":
        raise LoadError("format-unsupported", f"{where}: only CSV resources are loaded")
    data = package.read(_vetted(resource.get("path"), where))
    _check_hash(data, resource.get("hash"), where)
    schema = resource["schema"]
    raw = _read_csv(data, resource, schema, where)
    missing = schema.get("missingValues", [""])
    frame = pd.DataFrame(
        {field["name"]: _typed(raw[field["name"]], field, missing, where) for field in schema["fields"]}
    )
    return Resource(name, schema, frame)


def _check_hash(data: bytes, recorded: Any, where: str) -> None:
    if recorded is None:
        return
    algorithm, _, digest = str(recorded).partition(":")
    if algorithm != "sha256":
        raise LoadError("hash-unsupported", f"{where}: hash {recorded!r} is not sha256:<hex>")
    if hashlib.sha256(data).hexdigest() != digest:
        raise LoadError(
            "hash-mismatch",
            f"{where}: the file does not match the sha256 in the descriptor "
            "(an incomplete download, or a CSV edited without `newsfacts build`)",
        )


def _read_csv(data: bytes, resource: dict[str, Any], schema: dict[str, Any], where: str) -> pd.DataFrame:
    """The cells as strings, exactly as written: no guessing, no trimming, no NA spelling but the schema's."""
    dialect = resource.get("dialect", {})
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            na_filter=False,
            encoding=resource.get("encoding", "utf-8"),
            sep=dialect.get("delimiter", ","),
            quotechar=dialect.get("quoteChar", '"'),
            doublequote=dialect.get("doubleQuote", True),
            skipinitialspace=dialect.get("skipInitialSpace", False),
        )
    except (LookupError, ValueError, pd.errors.ParserError) as error:  # LookupError: an unknown encoding
        raise LoadError("csv-invalid", f"{where}: {error}") from error
    expected = [field["name"] for field in schema["fields"]]
    if list(raw.columns) != expected:
        raise LoadError("header-mismatch", f"{where}: header {list(raw.columns)} is not the schema's {expected}")
    return raw


def _typed(cells: pd.Series, field: dict[str, Any], missing: list[str], where: str) -> pd.Series:
    text = cells.astype("string").mask(cells.isin(missing))
    name, kind = field["name"], field.get("type", "string")
    enum = field.get("constraints", {}).get("enum")
    if kind == "string" and enum is not None:
        _require(text, text.isin(enum), f"one of {enum}", name, where)
        return pd.Series(pd.Categorical(text, categories=enum), name=name)
    if kind == "string":
        return text
    if kind == "integer":
        _require(text, text.str.fullmatch(INTEGER), "an integer", name, where)
        try:
            return text.astype("Int64")
        except (OverflowError, TypeError, ValueError) as error:
            raise LoadError("value-invalid", f"{where}, field {name}: {error}") from error
    if kind == "number":
        try:
            return pd.to_numeric(text).astype("Float64")
        except (TypeError, ValueError) as error:
            raise LoadError("value-invalid", f"{where}, field {name}: {error}") from error
    if kind == "boolean":
        true_values = field.get("trueValues", DEFAULT_TRUE_VALUES)
        false_values = field.get("falseValues", DEFAULT_FALSE_VALUES)
        _require(text, text.isin(true_values + false_values), "a boolean", name, where)
        return text.isin(true_values).astype("boolean").mask(text.isna())
    if kind == "date" and field.get("format", "default") == "default":
        _require(text, text.str.fullmatch(ISO_DATE), "a date YYYY-MM-DD", name, where)
        try:
            return pd.to_datetime(text, format="%Y-%m-%d")
        except ValueError as error:
            raise LoadError("value-invalid", f"{where}, field {name}: {error}") from error
    raise LoadError("type-unsupported", f"{where}, field {name}: type {kind!r} (format {field.get('format')!r})")


def _require(text: pd.Series, valid: pd.Series, expected: str, name: str, where: str) -> None:
    """LoadError naming the first present value that is not `expected`; the CSV line is its row + 2."""
    invalid = text.notna() & ~valid.fillna(False).astype(bool)
    if invalid.any():
        row = int(invalid.to_numpy().nonzero()[0][0])
        raise LoadError("value-invalid", f"{where}, line {row + 2}, field {name}: {text.iloc[row]!r} is not {expected}")
