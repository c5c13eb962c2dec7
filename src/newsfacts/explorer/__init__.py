"""`newsfacts site`: a static, self-contained website of a package, where every fact is seen in its source.

The site is made from what `newsfacts.load()` reads (`loader.open_package`), after the row checks
of `validate` have passed on the same package (a span the site highlights is the text its row
holds). It needs no server and makes no request: its pages, one CSS and one script link only to
each other and to the copy of the package beside them (`package/`), so it works from `file://` and
from any static host. `pages.py` makes the pages; `html.py` holds the markup of a seed.

The folder is written whole, beside its target, then put in its place: an existing site is replaced
at once, and a folder that holds anything else is left alone unless `force` is given.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..problems import NewsfactsError, Problem
from ..tables import parse_json

if TYPE_CHECKING:
    from ..package import Layout
    from ..source import Opened

# Written into every site, so that a later build knows the folder is one it may replace.
MARKER = ".newsfacts-site"
# The files of the package the site copies beside its pages (besides each table and each seed), if present.
PACKAGE_EXTRAS = ("README.md", "croissant.json", "dataset.jsonld")


@dataclass(frozen=True)
class SiteResult:
    written: list[Path]
    problems: list[Problem]  # the package's problems that kept the site from being made


def build_site(package: Opened, out: Path, *, force: bool = False, changed: Sequence[str] = ()) -> SiteResult:
    """Write the site of the opened package into the folder `out`; `changed` lists the articles a change touched.

    Refuses (its problems, nothing written) a package whose rows or spans `validate` finds wrong;
    raises NewsfactsError where `out` is not the folder of a site and `force` is not given.
    """
    from ..validate import validate

    _check_output(out, force)
    problems = validate(package.layout, rows_only=True)
    if problems:
        return SiteResult([], package.relabel(problems))
    return SiteResult(_replace_folder(out, site_files(package.layout, changed)), [])


def site_files(layout: Layout, changed: Sequence[str] = ()) -> dict[str, bytes]:
    """Every file of the site of the package at `layout` (which `validate` passes), by path from the site's root."""
    from ..discovery import bibtex, read_citation
    from ..loader import open_package, plain_rows, read_resources, read_seed
    from .pages import Explorer, rendered_files

    with open_package(layout.package_dir) as package:
        descriptor = package.descriptor
        tables = {resource.name: plain_rows(resource) for resource in read_resources(package)}
        seeds = {row["article_id"]: read_seed(package, row) for row in tables.get("articles", [])}
        copies = {"datapackage.json": package.read("datapackage.json")}
        copies |= {resource["path"]: package.read(resource["path"]) for resource in descriptor["resources"]}
        copies |= {row["seed_file"]: package.read(row["seed_file"]) for row in tables.get("articles", [])}
        # The JSON tables `build` writes beside the CSVs (the descriptor lists only the CSVs).
        json_tables = [layout.json(resource["name"]) for resource in descriptor["resources"]]
        extras = [*PACKAGE_EXTRAS, *(path.relative_to(layout.package_dir).as_posix() for path in json_tables)]
        for name in extras:
            if (layout.package_dir / name).is_file():
                copies[name] = package.read(name)
    citation, _ = read_citation(layout, descriptor)  # `validate` reports a CITATION.cff it cannot read
    year = (citation.released or descriptor.get("created") or "")[:4]
    explorer = Explorer(
        descriptor=descriptor,
        tables=tables,
        seeds=seeds,
        schema_org=_schema_org(copies.get("dataset.jsonld")),
        changed=tuple(changed),
        dictionary=copies["README.md"].decode("utf-8", errors="replace") if "README.md" in copies else None,
        citation=bibtex(descriptor["name"], citation, year),
        json_tables=sorted(name for name in copies if name.startswith("data/") and name.endswith(".json")),
    )
    files = rendered_files(explorer)
    files |= {f"package/{path}": data for path, data in copies.items()}
    files[MARKER] = b"A site written by `newsfacts site`; the next build replaces this folder whole.\n"
    return files


def _schema_org(data: bytes | None) -> dict[str, Any] | None:
    """The package's schema.org Dataset, its files' addresses made relative to the site's index."""
    if data is None:
        return None
    try:
        document = parse_json(data)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    for download in document.get("distribution") or []:
        if (
            isinstance(download, dict)
            and isinstance(download.get("contentUrl"), str)
            and "://" not in download["contentUrl"]
        ):
            download["contentUrl"] = f"package/{download['contentUrl']}"
    return document


def _check_output(out: Path, force: bool) -> None:
    """NewsfactsError("output-exists") unless `out` is absent, empty, a site made before, or `force` is given."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise NewsfactsError("output-exists", f"{out} exists and is not a folder")
    if force or (out / MARKER).is_file() or not any(out.iterdir()):
        return
    raise NewsfactsError(
        "output-exists", f"{out} holds files that are not a site made by `newsfacts site`; pass --force to replace it"
    )


def _replace_folder(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write `files` into a new folder beside `out`, then swap it for `out`; return the files written."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for path, data in sorted(files.items()):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a static host serves it to everyone
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.rmdir(old)
            out.rename(old)
        staging.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
    return [out / path for path in sorted(files)]
