"""Where a package comes from: the one way every command, and `newsfacts.load()`, turns a source into a package.

A source is the package bundled with newsfacts (None), a directory (a project holding
`datapackage/`, or the package folder itself), a `datapackage.json` file, a release `.zip`, or an
http(s) URL of a `datapackage.json` or of a release `.zip`. `locate` says which of these a source
is (`load()` then reads it in place); `opened` lays it out on disk as a `Layout`, for the commands
that run checks on files: a zip is unpacked and a URL mirrored into a scratch folder, removed
afterwards, and the problems found there are named at the source the user gave.

Kept free of heavy imports: the command line imports it to parse its arguments.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, Literal

from .limits import Limits
from .paths import URL_SCHEME, resource_path_problem
from .problems import NewsfactsError, Problem, codes, display_path

if TYPE_CHECKING:
    import os

    from .package import Layout

DESCRIPTOR_NAME = "datapackage.json"
PACKAGE_FOLDER = "datapackage"  # where a project, a release zip and the wheel keep the package
# What a command reads when given no source: the checkout's package where there is one.
CHECKOUT_PACKAGE = Path(PACKAGE_FOLDER)
URL_DEADLINE_SECONDS = 5 * 60  # per file: a table of the package is at most Limits().max_file_bytes
# A mirrored URL may name at most this many files, as a zip may hold at most archive.MAX_ENTRIES.
MAX_MIRRORED_FILES = 10_000

Kind = Literal["directory", "descriptor", "zip", "url", "zip-url"]

# The codes that mean the source itself could not be read, rather than that its data has problems:
# a command exits 2 on them, as on a usage error.
SOURCE_UNREADABLE = codes("archive") | {
    "package-not-found",
    "source-unsupported",
    "bundled-missing",
    "descriptor-missing",
    "descriptor-ambiguous",
    "fetch-failed",
    "download-failed",
    "source-local-only",
    "usage-error",
    "input-unreadable",
}


@dataclass(frozen=True)
class Located:
    """What a source is (`kind`), where its package is (`where`: a folder, a file or a URL), and the
    source as the user named it (`shown`), for messages."""

    kind: Kind
    where: Path | str
    shown: str


def bundled_descriptor() -> Path:
    """The datapackage.json shipped inside the installed wheel, or the repository's in a development install."""
    here = Path(__file__).resolve().parent
    candidates = (
        here / "_bundled" / PACKAGE_FOLDER / DESCRIPTOR_NAME,
        here.parents[1] / PACKAGE_FOLDER / DESCRIPTOR_NAME,
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise NewsfactsError.of("bundled-missing", candidates[0])


def command_default() -> Path | None:
    """What a command reads with no source: ./datapackage in a checkout (built or not), else the bundled package."""
    return CHECKOUT_PACKAGE if CHECKOUT_PACKAGE.is_dir() else None


def locate(source: str | os.PathLike[str] | None, *, unbuilt: bool = False) -> Located:
    """What SOURCE is, or NewsfactsError (package-not-found, source-unsupported, descriptor-missing).

    A directory's package is its `datapackage/` folder, or the directory itself, whichever holds a
    datapackage.json. With UNBUILT, a checkout that has no datapackage.json yet is its package folder
    all the same, so that `build` can write it and `validate` can say to run `build`.
    """
    if source is None:
        descriptor = bundled_descriptor()
        return Located("directory", descriptor.parent, display_path(descriptor.parent))
    if isinstance(source, str) and URL_SCHEME.match(source):
        try:
            parts = urllib.parse.urlsplit(source)
        except ValueError as error:  # `http://[x`: a bracket that opens no IPv6 address
            raise NewsfactsError.of("fetch-failed", source, detail=str(error)) from error
        if parts.scheme.lower() not in ("http", "https"):
            raise NewsfactsError.of("source-unsupported", source)
        is_zip = parts.path.lower().endswith(".zip")
        return Located("zip-url" if is_zip else "url", source, source)
    path = Path(source)
    shown = display_path(path)
    if not path.exists():
        raise NewsfactsError.of("package-not-found", path)
    if path.is_dir():
        return Located("directory", _package_dir_in(path, unbuilt), shown)
    if path.suffix.lower() == ".zip":
        return Located("zip", path, shown)
    return Located("descriptor", path, shown)


def _package_dir_in(directory: Path, unbuilt: bool) -> Path:
    for candidate in (directory / PACKAGE_FOLDER, directory):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    if unbuilt:
        # A checkout before its first `build`: the package folder holds data/ but no descriptor yet.
        for candidate in (directory / PACKAGE_FOLDER, directory):
            if (candidate / "data").is_dir():
                return candidate
    raise NewsfactsError.of(
        "descriptor-missing", directory, detail=f"{PACKAGE_FOLDER}/{DESCRIPTOR_NAME} and {DESCRIPTOR_NAME}"
    )


@dataclass(frozen=True)
class Opened:
    """A package laid out on disk for the checks, and how to name what they find at the user's source."""

    layout: Layout
    located: Located
    scratch: Path | None = None  # the folder a zip or URL was laid out in, removed afterwards
    names_from: Path | None = None  # the folder in `scratch` that the zip's entries or the URL's paths start at

    def where(self, path: str) -> str:
        """PATH (as a problem names it) at the user's source: `release.zip:data/quotes.csv`, or the URL
        the file was fetched from. Paths outside the scratch folder stay as they are."""
        if self.scratch is None:
            return path
        try:
            inside = Path(path).resolve().relative_to((self.names_from or self.scratch).resolve()).as_posix()
        except (ValueError, OSError):
            return path
        if self.located.kind in ("zip", "zip-url"):
            return f"{self.located.shown}:{inside}"
        return urllib.parse.urljoin(str(self.located.where), urllib.parse.quote(inside))

    def relabel(self, problems: Sequence[Problem]) -> list[Problem]:
        """The problems, each named at the user's source, in its place and in its message."""
        if self.scratch is None:
            return list(problems)
        scratch = re.compile("|".join(re.escape(str(path)) for path in {self.scratch, self.scratch.resolve()}))
        inside = re.compile(rf"(?:{scratch.pattern})/[^\s:;,'\"]*")
        return [
            replace(item, path=self.where(item.path), message=inside.sub(lambda m: self.where(m[0]), item.message))
            for item in problems
        ]


@contextmanager
def opened(
    source: str | os.PathLike[str] | None, limits: Limits | None = None, *, local_only: str | None = None
) -> Iterator[Opened]:
    """The package at SOURCE as a Layout on disk until the block ends; NewsfactsError when it cannot be read.

    A zip is unpacked as `download` unpacks it (every entry checked, only the release layout), and a
    URL of a datapackage.json is mirrored with what the checks read: the descriptor, each table's CSV
    and JSON copy, its expectation suite, the data dictionary, and the seeds the articles table names.
    A file the server does not have (404) is left out, for the checks to report as missing.
    With LOCAL_ONLY (the command's name), a zip or URL is refused: that command works on a checkout.
    """
    from .package import Layout  # imported here: the models (pydantic) would slow `newsfacts --help`

    limits = limits or Limits()
    located = locate(source, unbuilt=True)
    if located.kind == "directory":
        yield Opened(Layout(Path(located.where), limits), located)
        return
    if located.kind == "descriptor":
        descriptor = Path(located.where)
        if descriptor.name != DESCRIPTOR_NAME:
            raise NewsfactsError.of("descriptor-missing", descriptor, detail=f"a file named {DESCRIPTOR_NAME}")
        yield Opened(Layout(descriptor.parent, limits), located)
        return
    if local_only:
        raise NewsfactsError.of("source-local-only", located.shown, command=local_only)
    scratch = Path(tempfile.mkdtemp(prefix="newsfacts-source-"))
    try:
        first = fetch_bytes(str(located.where), limits.max_file_bytes) if located.kind == "url" else b""
        if located.kind == "url" and not is_zip(first):
            package = names_from = _mirror(str(located.where), first, scratch, limits)
        else:
            if located.kind == "zip":
                zip_path = Path(located.where)
            elif located.kind == "url":  # a zip served at an address without `.zip`
                zip_path = scratch / "release.zip"
                zip_path.write_bytes(first)
            else:
                zip_path = fetched_zip(str(located.where), scratch)
            package, names_from = _unpack(zip_path, scratch / "unpacked", located.shown)
        layout = Layout(package, limits)
        if not layout.descriptor.is_file():
            raise NewsfactsError.of("descriptor-missing", located.shown, detail=DESCRIPTOR_NAME)
        yield Opened(layout, located, scratch, names_from)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _unpack(zip_path: Path, into: Path, shown: str) -> tuple[Path, Path]:
    """Unpack the zip below INTO: its package folder, and the folder its entry names start at."""
    from .pack import unpack_release

    try:
        package, legacy = unpack_release(zip_path, into)
        return package, into if legacy else package
    except NewsfactsError as error:  # named at the user's zip or URL, not the scratch copy
        raise NewsfactsError(error.code, error.message, shown, error.line, error.field) from error


def fetched_zip(url: str, scratch: Path) -> Path:
    """The zip at URL, fetched into SCRATCH (as large as a zip may unpack to, at most)."""
    from .archive import MAX_TOTAL_BYTES

    target = scratch / "release.zip"
    with target.open("wb") as sink:
        fetch_into(url, MAX_TOTAL_BYTES, sink)
    return target


def fetch_bytes(url: str, limit: int) -> bytes:
    buffer = io.BytesIO()
    fetch_into(url, limit, buffer)
    return buffer.getvalue()


def fetch_into(url: str, limit: int, sink: BinaryIO) -> None:
    """The bytes at URL into SINK; NewsfactsError when the server cannot be reached, refuses, or sends too much."""
    from .fetch import TooLarge, fetch

    try:
        fetch(url, limit, sink, URL_DEADLINE_SECONDS)
    except TooLarge as error:
        raise NewsfactsError.of("file-too-large", url, size=f"more than {limit}", limit=limit) from error
    except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
        raise NewsfactsError.of("fetch-failed", url, detail=str(error)) from error


def is_zip(data: bytes) -> bool:
    """Whether DATA starts as a zip does: a release may be served at an address that does not end in `.zip`."""
    return data.startswith(b"PK\x03\x04")


def _mirror(url: str, data: bytes, scratch: Path, limits: Limits) -> Path:
    """Lay out the package whose descriptor at URL holds DATA in SCRATCH, with what the checks read of it;
    its folder."""
    from .package import Layout  # imported here: the models (pydantic) would slow `newsfacts --help`
    from .tables import parse_json

    package = scratch / PACKAGE_FOLDER
    package.mkdir()
    (package / DESCRIPTOR_NAME).write_bytes(data)
    try:
        descriptor = parse_json(data.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError is one
        raise NewsfactsError.of("descriptor-invalid", url, detail=str(error)) from error
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise NewsfactsError.of("descriptor-invalid", url, detail="not a Data Package descriptor with a resources list")
    # The data dictionary and the discovery documents, which the checks and the explorer read where present.
    layout = Layout(package)
    wanted = [path.relative_to(package).as_posix() for path in (layout.dictionary, layout.croissant, layout.schema_org)]
    for resource in resources:
        name = resource.get("name") if isinstance(resource, dict) else None
        if isinstance(name, str):
            wanted += [resource.get("path"), f"data/{name}.csv", f"data/{name}.json", f"expectations/{name}.json"]
    # Only paths inside the package are fetched; `validate` reports the others from the descriptor.
    files = list(dict.fromkeys(path for path in wanted if isinstance(path, str) and not resource_path_problem(path)))
    if len(files) > MAX_MIRRORED_FILES:
        raise NewsfactsError.of("descriptor-invalid", url, detail=f"more than {MAX_MIRRORED_FILES} files")
    for path in files:
        _mirror_file(urllib.parse.urljoin(url, urllib.parse.quote(path)), package / path, limits)
    for seed in _seed_files(package / "data" / "articles.csv")[:MAX_MIRRORED_FILES]:
        _mirror_file(urllib.parse.urljoin(url, urllib.parse.quote(seed)), package / seed, limits)
    return package


def _mirror_file(url: str, target: Path, limits: Limits) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("xb") as sink:
            fetch_into(url, limits.max_file_bytes, sink)
    except NewsfactsError as error:
        target.unlink(missing_ok=True)
        cause = error.__cause__
        if isinstance(cause, urllib.error.HTTPError) and cause.code in (404, 410):
            return  # the server has no such file: the checks report it as missing, as in a folder
        raise


def _seed_files(articles: Path) -> list[str]:
    """The seed_file cells of the articles table that name a file in the package's seeds/; the rest are the checks'."""
    try:
        text = articles.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return []  # the checks report the table
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error:
        return []
    seeds = [row.get("seed_file") for row in rows]
    return list(
        dict.fromkeys(
            seed
            for seed in seeds
            if isinstance(seed, str) and not resource_path_problem(seed) and PurePosixPath(seed).parts[0] == "seeds"
        )
    )
