"""Load the package's tables into pandas, typed by their Table Schemas.

Types are read from the descriptor (datapackage.json), never from the models, so a package
downloaded from a release loads as its own descriptor says, whatever version of this code
reads it. Every source is untrusted: resource paths must stay inside the package, files are
size-limited, and each CSV must match the hash the descriptor records.

The tables are read as `validate` reads them (`tables.read_cells`, `cells.typed`), with pandas,
pyarrow and numpy only: `pip install newsfacts` is enough, without the toolkit extra.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pandas as pd

from .archive import InflateBudget, checked_entries, entry_chunks, open_zip
from .cells import field_type, misread, plain_values, read_as, to_pandas, typed
from .limits import Limits
from .paths import resource_path_problem
from .problems import NewsfactsError, did_you_mean, display_path
from .progress import Progress
from .source import DESCRIPTOR_NAME, PACKAGE_FOLDER, fetch_bytes, fetched_zip, is_zip, locate
from .tables import DIALECT, LABEL_FIELD, LINE, decode_text, parse_json, read_bytes, read_cells

if TYPE_CHECKING:
    import pyarrow as pa

MAX_FILE_BYTES = Limits().max_file_bytes

Source = str | os.PathLike[str] | None
# A row as plain Python values (see `plain_rows`).
Row = dict[str, Any]
# The keys a descriptor may hold where this loader reads: those `build` writes, and the Table
# Schema keys that describe without changing how a cell reads.
RESOURCE_KEYS = {
    "name",
    "type",
    "title",
    "description",
    "path",
    "format",
    "mediatype",
    "encoding",
    "bytes",
    "hash",
    "dialect",
    "schema",
}
SCHEMA_KEYS = {"$schema", "fields", "missingValues", "primaryKey", "foreignKeys", LABEL_FIELD}
FIELD_KEYS = {"name", "type", "format", "title", "description", "example", "constraints", "trueValues", "falseValues"}
CONSTRAINT_KEYS = {"required", "unique", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum"}
BOOLEAN_KEYS = ("trueValues", "falseValues")


@dataclass(frozen=True)
class Resource:
    """One table: its name, its Table Schema and its rows, typed as the schema declares."""

    name: str
    schema: dict[str, Any]
    frame: pd.DataFrame


@dataclass(frozen=True)
class Package:
    """A parsed descriptor, how to read the files its resource paths name, and where they are."""

    location: str
    descriptor: dict[str, Any]
    read: Callable[[str], bytes]
    locate: Callable[[str], str]


def load(source: Source = None) -> dict[str, pd.DataFrame]:
    """Every table of a newsfacts package as a typed DataFrame, by resource name.

    `source` is the package bundled with newsfacts (None, the default), a directory (a project
    directory holding `datapackage/datapackage.json`, or the package directory itself), a
    `datapackage.json` file, a release `.zip`, or an http(s) URL of a `datapackage.json` or of a
    release `.zip`: what every `newsfacts` command reads too (`source.locate`).

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
    return {resource.name: resource.frame for resource in load_resources(source)}


def load_table(name: str, source: Source = None) -> pd.DataFrame:
    """One table of a newsfacts package, typed as in `load()`; only that table's file is read."""
    with open_package(source) as package:
        for resource in _resource_descriptors(package):
            if resource["name"] == name:
                return _read_resource(package, resource).frame
        names = ", ".join(resource["name"] for resource in _resource_descriptors(package))
        raise NewsfactsError.of("table-unknown", package.location, table=name, names=names)


def load_resources(source: Source = None) -> list[Resource]:
    """Every table of the package at `source` (see `load`) with its Table Schema, in the descriptor's
    order (referenced tables first): what `load()` returns and every exporter writes."""
    with open_package(source) as package:
        return read_resources(package)


def read_resources(package: Package) -> list[Resource]:
    """Every table of an open package, in the descriptor's order (referenced tables first).

    A bar shows the tables read on a terminal (what `newsfacts export` waits for), as `validate` shows its own."""
    descriptors = _resource_descriptors(package)
    resources = []
    with Progress("reading tables", len(descriptors)) as progress:
        for resource in descriptors:
            progress.advance(0, label=f"reading {resource['name']}")
            resources.append(_read_resource(package, resource))
            progress.advance()
    return resources


def plain_rows(resource: Resource) -> list[Row]:
    """The rows of a table as plain Python values (dates as ISO 8601 text, missing as None): what the
    formats that write rows one at a time (FtM, the explorer) read."""
    columns = {field["name"]: plain_values(resource.frame[field["name"]], field) for field in resource.schema["fields"]}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def read_seed(package: Package, article: Row) -> str:
    """The text of an article's seed, read from the package (a folder, zip or URL) and checked against its sha256."""
    path = article["seed_file"]
    reason = resource_path_problem(path)
    if reason:
        raise NewsfactsError.of("unsafe-path", package.location, detail=f"{article['article_id']}: {reason}")
    data = package.read(path)
    where = package.locate(path)
    actual = hashlib.sha256(data).hexdigest()
    if actual != article["sha256"]:
        raise NewsfactsError.of("hash-mismatch", where, actual=actual, expected=article["sha256"])
    text, problems = decode_text(data, Path(where))
    if text is None:
        raise NewsfactsError.from_problem(problems[0])
    return text


@contextmanager
def open_package(source: Source = None) -> Iterator[Package]:
    """The package at `source` (see `load`), open for reading until the block ends.

    What the source is, is decided by `source.locate`, as for every command; the package is read in
    place (a zip without unpacking it, a URL a file at a time), except a URL of a zip, fetched first.
    """
    located = locate(source)
    if located.kind == "directory":
        yield _directory_package(Path(located.where) / DESCRIPTOR_NAME)
    elif located.kind == "descriptor":
        yield _directory_package(Path(located.where))
    elif located.kind == "zip":
        with _zip_package(Path(located.where)) as package:
            yield package
    else:
        url = str(located.where)
        with tempfile.TemporaryDirectory(prefix="newsfacts-load-") as scratch:
            if located.kind == "zip-url":
                zip_path = fetched_zip(url, Path(scratch))
            else:
                data = fetch_bytes(url, MAX_FILE_BYTES)
                if not is_zip(data):
                    yield _url_package(url, data)
                    return
                zip_path = Path(scratch) / "release.zip"  # a zip served at an address without `.zip`
                zip_path.write_bytes(data)
            try:
                with _zip_package(zip_path, shown=url) as package:
                    yield package
            except NewsfactsError as error:  # the zip's own problems, named at the URL, not the scratch copy
                if error.path not in (str(zip_path), display_path(zip_path)):
                    raise
                raise NewsfactsError(error.code, error.message, url, error.line, error.field) from error


def _vetted(path: Any, package: Package, name: str) -> str:
    """A resource path that stays inside the package, or NewsfactsError: it comes from an untrusted descriptor."""
    reason = resource_path_problem(path)
    if reason:
        raise NewsfactsError.of("unsafe-path", package.location, detail=f"resource {name}: {reason}")
    return PurePosixPath(path).as_posix()


def _parse_descriptor(data: bytes, location: str) -> dict[str, Any]:
    try:
        descriptor = parse_json(data.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError is one
        raise NewsfactsError.of("descriptor-invalid", location, detail=str(error)) from error
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        detail = "not a Data Package descriptor with a resources list"
        raise NewsfactsError.of("descriptor-invalid", location, detail=detail)
    return descriptor


def _directory_package(descriptor_path: Path) -> Package:
    package_dir = descriptor_path.parent

    def read(path: Path) -> bytes:
        """A file of the package as `validate` reads it: inside the package, regular, within the size limit."""
        data, problems = read_bytes(path, package_dir, Limits())
        if data is None:
            raise NewsfactsError.from_problem(problems[0])
        return data

    return Package(
        str(descriptor_path),
        _parse_descriptor(read(descriptor_path), str(descriptor_path)),
        lambda path: read(package_dir / path),
        lambda path: str(package_dir / path),
    )


@contextmanager
def _zip_package(path: Path, shown: str | None = None) -> Iterator[Package]:
    """A package read straight from the archive, each entry checked and inflated as `download` does;
    its files are named at SHOWN (the URL the zip came from), else at PATH."""
    shown = shown or str(path)
    with open_zip(path) as archive:
        entries = {info.filename: info for info in checked_entries(archive)}
        descriptors = [name for name in entries if PurePosixPath(name).name == DESCRIPTOR_NAME]
        if not descriptors:
            raise NewsfactsError.of("descriptor-missing", path, detail=f"{DESCRIPTOR_NAME} in any folder of the zip")
        # A release has datapackage.json at its root (datapackage/ in 1.0.0 and 1.1.0), or in a folder
        # the zip was made of: the shallowest descriptor is the package's.
        shallowest = min(len(PurePosixPath(name).parts) for name in descriptors)
        top = [name for name in descriptors if len(PurePosixPath(name).parts) == shallowest]
        if len(top) > 1:
            raise NewsfactsError.of("descriptor-ambiguous", path, detail=", ".join(top))
        prefix = top[0][: -len(DESCRIPTOR_NAME)]
        budget = InflateBudget()

        def read_entry(name: str) -> bytes:
            if name not in entries:
                raise NewsfactsError.of("file-missing", path, detail=f"the zip has no member {name}")
            return b"".join(entry_chunks(archive, entries[name], budget))

        def entry_name(name: str) -> str:
            # The zips of 1.0.0 and 1.1.0 keep the package in datapackage/ and its seeds beside it, at the root.
            legacy_seed = prefix == f"{PACKAGE_FOLDER}/" and name.startswith("seeds/") and prefix + name not in entries
            return name if legacy_seed else prefix + name

        location = f"{shown}:{top[0]}"
        yield Package(
            location,
            _parse_descriptor(read_entry(top[0]), location),
            lambda name: read_entry(entry_name(name)),
            lambda name: f"{shown}:{entry_name(name)}",
        )


def _url_package(url: str, descriptor: bytes) -> Package:
    def locate(path: str) -> str:
        return urllib.parse.urljoin(url, urllib.parse.quote(path))

    def read(path: str) -> bytes:
        return fetch_bytes(locate(path), MAX_FILE_BYTES)

    return Package(url, _parse_descriptor(descriptor, url), read, locate)


def _resource_descriptors(package: Package) -> list[dict[str, Any]]:
    """The resources of an untrusted descriptor, after checking every key this loader reads."""
    resources = package.descriptor["resources"]
    names: set[str] = set()
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            raise NewsfactsError.of(
                "descriptor-invalid", package.location, field=where, detail="a resource has no name"
            )
        if resource["name"] in names:
            detail = f"resource {resource['name']} is listed twice"
            raise NewsfactsError.of("descriptor-invalid", package.location, field=where, detail=detail)
        names.add(resource["name"])
        reason = _schema_problem(resource)
        if reason:
            detail = f"resource {resource['name']}: {reason}"
            raise NewsfactsError.of("descriptor-invalid", package.location, field=where, detail=detail)
        for field in resource["schema"]["fields"]:
            if field_type(field) is None or field.get("format", "default") != "default":
                kind, form = field.get("type"), field.get("format")
                detail = f"resource {resource['name']}, field {field['name']}: type {kind!r} (format {form!r})"
                raise NewsfactsError.of("type-unsupported", package.location, field=where, detail=detail)
    return list(resources)


def _schema_problem(resource: dict[str, Any]) -> str | None:
    """Why a resource's schema and dialect cannot be read by this loader, or None.

    Every key is one this loader honours or one that does not change what a cell reads as: a key
    it ignored (`groupChar`, `bareNumber`, a field's own `missingValues`) would make frictionless
    and this loader read one file two ways.
    """
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    # A schema or dialect given as a path or URL would be one more file to fetch and trust.
    if not isinstance(schema, dict) or not isinstance(fields, list):
        return "has no inline schema fields"
    unknown = _unknown_key(resource, RESOURCE_KEYS) or _unknown_key(schema, SCHEMA_KEYS)
    if unknown:
        return unknown
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            return "a field has no name"
        constraints = field.get("constraints", {})
        unknown = _unknown_key(field, FIELD_KEYS) or _unknown_key(constraints, CONSTRAINT_KEYS)
        if unknown:
            return f"field {field['name']}: {unknown}"
        enum = constraints.get("enum", [])
        if not _names_of(enum, None) or not all(_names_of(field.get(key, []), None) for key in BOOLEAN_KEYS):
            return f"field {field['name']}: an enum, trueValues and falseValues must be lists of strings"
    names = [field["name"] for field in fields]
    if len(set(names)) != len(names):
        return "a field name repeats"
    if LABEL_FIELD in schema and schema[LABEL_FIELD] not in names:
        return f"{LABEL_FIELD} must name one of the schema's fields"
    if not _names_of(schema.get("primaryKey", []), names):
        return "primaryKey must be a list of the schema's field names"
    for foreign_key in schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else [None]:
        reference = foreign_key.get("reference") if isinstance(foreign_key, dict) else None
        if not (
            isinstance(foreign_key, dict)
            and isinstance(reference, dict)
            and isinstance(reference.get("resource"), str)
            and _names_of(foreign_key.get("fields"), names)
            and _names_of(reference.get("fields"), None)
            and len(foreign_key["fields"]) == len(reference["fields"]) > 0
        ):
            return "each foreign key must give lists of field names and a reference {resource, fields}"
    if schema.get("missingValues", [""]) != [""]:
        return 'only the empty cell is read as a missing value (missingValues [""])'
    dialect = resource.get("dialect", {})
    if _unknown_key(dialect, set(DIALECT)) or any(dialect.get(key, value) != value for key, value in DIALECT.items()):
        return f"only the dialect `newsfacts build` writes is read: {DIALECT}"
    if str(resource.get("encoding", "utf-8")).lower() not in ("utf-8", "utf8"):
        return "only UTF-8 is read"
    return None


def _unknown_key(value: Any, known: set[str]) -> str | None:
    """Why `value` is not an object of known keys, or None."""
    if not isinstance(value, dict):
        return "expected an object"
    unknown = sorted(set(value) - known)
    return f"the key {unknown[0]!r} is not read by newsfacts.load()" if unknown else None


def _names_of(value: Any, names: list[str] | None) -> bool:
    """Whether `value` is a list of strings, each one of `names` when given."""
    return isinstance(value, list) and all(isinstance(item, str) and (names is None or item in names) for item in value)


def _read_resource(package: Package, resource: dict[str, Any]) -> Resource:
    """One table, read by the toolkit's one CSV reader and typed by the one cell grammar, as `validate` reads it."""
    name = resource["name"]
    if resource.get("format", "csv") != "csv":
        raise NewsfactsError.of("format-unsupported", package.location, table=name, detail=repr(resource["format"]))
    path = _vetted(resource.get("path"), package, name)
    data = package.read(path)
    where = package.locate(path)
    _check_hash(data, resource.get("hash"), package.location, name, where)
    schema = resource["schema"]
    fields = schema["fields"]
    cells, problems = read_cells(data, Path(path), [field["name"] for field in fields])
    del data
    if cells is None:
        first = problems[0]
        raise NewsfactsError(first.code, first.message, where, first.line or 1, first.field)
    frame = pd.DataFrame({field["name"]: to_pandas(_typed(cells, field, where), field) for field in fields})
    return Resource(name, schema, frame)


def _typed(cells: pa.Table, field: dict[str, Any], where: str) -> pa.ChunkedArray:
    """A column as its field's type; NewsfactsError naming the first cell that is not a value of it:
    type-error when it does not read as the type, constraint-error when it is not in the enum."""
    import pyarrow as pa
    import pyarrow.compute as pc

    name = field["name"]
    column = cells.column(name)
    value, reads = typed(column, field)
    enum = field.get("constraints", {}).get("enum")
    accepted = reads
    if enum is not None:
        accepted = pc.and_(reads, pc.or_(pc.is_null(column), pc.is_in(column, pa.array(enum, pa.string()))))
    refused = pc.indices_nonzero(pc.invert(accepted))
    if len(refused):
        row = refused[0].as_py()
        line, cell = cells.column(LINE)[row].as_py(), column[row].as_py()
        if reads[row].as_py():
            detail = f"{cell!r} is not one of {enum}{did_you_mean(cell, enum)}"
            raise NewsfactsError.of("constraint-error", where, line, name, detail=detail)
        raise NewsfactsError.of("type-error", where, line, name, detail=misread(cell, read_as(field)))
    return value


def _check_hash(data: bytes, recorded: Any, descriptor: str, name: str, where: str) -> None:
    if recorded is None:
        return
    algorithm, _, digest = str(recorded).partition(":")
    if algorithm != "sha256":
        raise NewsfactsError.of("unsupported-hash", descriptor, detail=f"{recorded!r} of resource {name}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise NewsfactsError.of("hash-mismatch", where, actual=actual, expected=digest)
