"""`newsfacts pack`: the release artefact of the current version, reproducible to the byte."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .archive import zip_bytes
from .atomic import write_all
from .build import build
from .package import Layout
from .problems import Problem
from .source import PACKAGE_FOLDER
from .tables import read_bytes
from .validate import validate

# The release layout. The package sits in PACKAGE_FOLDER, whatever its folder is called where it is packed,
# since `download` and `diff` look for it there. Beside it: what a user needs to read, trust and re-verify the data.
PACKAGE_FILES = ("datapackage.json", "README.md")
PACKAGE_FOLDERS = ("data", "expectations")
PROJECT_FILES = ("CHANGELOG.md", "LICENSE-DATA.md")
PROJECT_FOLDERS = ("schema", "seeds")
RELEASE_FILES = {*PROJECT_FILES, *(f"{PACKAGE_FOLDER}/{name}" for name in PACKAGE_FILES)}
RELEASE_FOLDERS = {*PROJECT_FOLDERS, *(f"{PACKAGE_FOLDER}/{folder}" for folder in PACKAGE_FOLDERS)}


@dataclass
class PackResult:
    zip_path: Path | None = None
    sums_path: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def artefact_name(layout: Layout) -> str:
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    return f"{descriptor['name']}-{descriptor['version']}.zip"


def in_release_layout(name: str) -> bool:
    """Whether a zip entry NAME is one that `release_files` writes, or a folder of them."""
    if name.endswith("/"):
        return name.removesuffix("/") in {PACKAGE_FOLDER, *RELEASE_FOLDERS}
    entry = PurePosixPath(name)
    return name in RELEASE_FILES or (entry.parent.as_posix() in RELEASE_FOLDERS and not entry.name.startswith("."))


def _shipped(path: Path) -> bool:
    """Regular files only; hidden ones (editor backups, .DS_Store) never reach a release."""
    return path.is_file() and not path.name.startswith(".")


def release_files(layout: Layout) -> tuple[dict[str, bytes], list[Problem]]:
    """Archive name -> bytes of every file in the artefact, laid out as in the repository."""
    root, package = layout.root, layout.package_dir
    paths = [root / name for name in PROJECT_FILES]
    paths += [package / name for name in PACKAGE_FILES]
    paths += [p for folder in PACKAGE_FOLDERS for p in sorted((package / folder).glob("*")) if _shipped(p)]
    paths += [p for folder in PROJECT_FOLDERS for p in sorted((root / folder).glob("*")) if _shipped(p)]
    prefix = {package: PACKAGE_FOLDER}
    files = {}
    problems: list[Problem] = []
    for path in paths:
        # As `validate` reads files: a link out of the project (to /etc or /proc) never ships.
        data, unreadable = read_bytes(path, root, layout.limits)
        problems += unreadable
        if data is not None:
            parent = package if path.is_relative_to(package) else root
            files[(Path(prefix.get(parent, "")) / path.relative_to(parent)).as_posix()] = data
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
