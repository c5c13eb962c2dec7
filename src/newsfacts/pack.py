"""`newsfacts pack`: the release artefact of the current version, reproducible to the byte."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .archive import extract_zip, open_zip, zip_bytes
from .atomic import write_all
from .build import build
from .package import Layout
from .problems import Problem
from .source import DESCRIPTOR_NAME, PACKAGE_FOLDER
from .tables import read_bytes
from .validate import validate

# The release layout since 1.2.0: the zip's root is the package, as every Data Package client expects
# (datapackage.json at the top, every path it names beside it, the seeds included), with what a user
# needs to read, cite, trust and re-verify the data.
PACKAGE_FILES = ("datapackage.json", "README.md", "croissant.json", "dataset.jsonld")
PACKAGE_FOLDERS = ("data", "expectations", "seeds")
PROJECT_FILES = ("CHANGELOG.md", "LICENSE-DATA.md", "CITATION.cff")
PROJECT_FOLDERS = ("schema",)
# 1.0.0 and 1.1.0 kept the package in datapackage/, with seeds/ and schema/ beside it. Their zips
# are still read: `unpack_release` moves the seeds into the package, where a checkout keeps them now.
LEGACY_FILES = {"CHANGELOG.md", "LICENSE-DATA.md", f"{PACKAGE_FOLDER}/datapackage.json", f"{PACKAGE_FOLDER}/README.md"}
LEGACY_FOLDERS = {"schema", "seeds", f"{PACKAGE_FOLDER}/data", f"{PACKAGE_FOLDER}/expectations"}


@dataclass
class PackResult:
    zip_path: Path | None = None
    sums_path: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def artefact_name(layout: Layout) -> str:
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    return f"{descriptor['name']}-{descriptor['version']}.zip"


def _in_layout(name: str, files: set[str], folders: set[str]) -> bool:
    if name.endswith("/"):
        return name.removesuffix("/") in folders | {folder.partition("/")[0] for folder in folders}
    entry = PurePosixPath(name)
    return name in files or (entry.parent.as_posix() in folders and not entry.name.startswith("."))


def in_release_layout(name: str) -> bool:
    """Whether a zip entry NAME is one that `release_files` writes, or a folder of them."""
    return _in_layout(name, {*PACKAGE_FILES, *PROJECT_FILES}, {*PACKAGE_FOLDERS, *PROJECT_FOLDERS})


def in_legacy_layout(name: str) -> bool:
    """Whether a zip entry NAME is one that the releases 1.0.0 and 1.1.0 held, or a folder of them."""
    return _in_layout(name, LEGACY_FILES, LEGACY_FOLDERS)


def unpack_release(zip_path: Path, top: Path) -> tuple[Path, bool]:
    """Unpack the release zip at ZIP_PATH below TOP, a scratch folder: its package folder, TOP/datapackage,
    laid out as in a checkout, and whether the zip had the layout of 1.0.0 and 1.1.0. NewsfactsError when
    the zip cannot be read, or holds an entry that its layout does not have."""
    with open_zip(zip_path) as archive:
        legacy = DESCRIPTOR_NAME not in archive.namelist()
    package = top / PACKAGE_FOLDER
    if not legacy:
        extract_zip(zip_path, package, in_release_layout)
        return package, False
    extract_zip(zip_path, top, in_legacy_layout)
    if (top / "seeds").is_dir():
        package.mkdir(exist_ok=True)
        (top / "seeds").rename(package / "seeds")
    return package, True


def _shipped(path: Path) -> bool:
    """Regular files only; hidden ones (editor backups, .DS_Store) never reach a release."""
    return path.is_file() and not path.name.startswith(".")


def release_files(layout: Layout) -> tuple[dict[str, bytes], list[Problem]]:
    """Archive name -> bytes of every file in the artefact: the package folder's at the root, then the project's."""
    root, package = layout.root, layout.package_dir
    wanted: list[tuple[str, Path, Path]] = []  # (archive name, file, the folder it must stay within)
    wanted += [(name, package / name, package) for name in PACKAGE_FILES]
    wanted += [(name, root / name, root) for name in PROJECT_FILES]
    for parent, folders in ((package, PACKAGE_FOLDERS), (root, PROJECT_FOLDERS)):
        for folder in folders:
            paths = sorted(path for path in (parent / folder).glob("*") if _shipped(path))
            wanted += [(f"{folder}/{path.name}", path, parent / folder) for path in paths]
    files = {}
    problems: list[Problem] = []
    for name, path, within in wanted:
        # As `validate` reads files: a link out of its folder (to /etc or /proc) never ships.
        data, unreadable = read_bytes(path, within, layout.limits)
        problems += unreadable
        if data is not None:
            files[name] = data
    return ({}, problems) if problems else (files, [])


def sha256sums_line(name: str, data: bytes) -> str:
    """One line in the format of `sha256sum`, so `sha256sum -c SHA256SUMS` checks it."""
    return f"{hashlib.sha256(data).hexdigest()}  {name}\n"


def pack(layout: Layout, out_dir: Path) -> PackResult:
    """Write OUT_DIR/<name>-<version>.zip and OUT_DIR/SHA256SUMS for a package that is built and valid."""
    stale = build(layout, check=True).problems
    if stale:
        return PackResult(problems=stale)
    problems = validate(layout)
    if problems:
        return PackResult(problems=problems)
    files, problems = release_files(layout)
    if problems:
        return PackResult(problems=problems)
    name = artefact_name(layout)
    data = zip_bytes(files)
    zip_path, sums_path = out_dir / name, out_dir / "SHA256SUMS"
    _, problems = write_all({zip_path: data, sums_path: sha256sums_line(name, data).encode("ascii")}, out_dir)
    if problems:
        return PackResult(problems=problems)
    return PackResult(zip_path=zip_path, sums_path=sums_path)
