"""`newsfacts site`: a static, self-contained website of a package, where every fact is seen in its source.

The site is made from what `newsfacts.load()` reads (`loader.open_package`), after the row checks
of `validate` have passed on the same package (a span the site highlights is the text its row
holds). It needs no server and makes no request: its pages, one CSS and one script link only to
each other and to the copy of the package beside them (`package/`), so it works from `file://` and
from any static host. `pages.py` makes the pages; `html.py` holds the markup of a seed.

The folder is written whole, beside its target, then put in its place (`atomic.replace_folder`): an
existing site is replaced at once; a folder that holds anything else, or the package being read, is
refused.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import folder_replaceable, replace_folder
from ..exporters._base import text as plain_text
from ..problems import Problem, display_path, problem, write_problem
from ..tables import decode_text, parse_json

if TYPE_CHECKING:
    from ..package import Layout
    from ..source import Opened

# Written into every site, so that a later build knows the folder is one it may replace.
MARKER = ".newsfacts-site"
# The longest schema.org Dataset the index embeds, in characters as embedded (`html.script_json`).
SCHEMA_ORG_CHARS = 500_000
# The files of the package the site copies beside its pages (besides each table and each seed), if present.
PACKAGE_EXTRAS = ("README.md", "croissant.json", "dataset.jsonld")


@dataclass(frozen=True)
class SiteResult:
    written: list[Path]
    problems: list[Problem]  # the package's problems that kept the site from being made


def build_site(package: Opened, out: Path, changed: Sequence[str] = ()) -> SiteResult:
    """Write the site of the opened package into the folder `out`; `changed` lists the articles a change touched.

    Refuses (its problems, nothing written) a folder `out` that holds anything but a site made
    before, and a package whose rows or spans `validate` finds wrong.
    """
    from ..validate import validate

    try:
        replaceable = folder_replaceable(out, MARKER)
    except OSError as error:  # a name too long, a folder that cannot be searched: it cannot be written either
        return SiteResult([], [write_problem(out, error)])
    reason = (
        "it holds the package being read"
        if _holds(out, package.layout.package_dir)
        else None
        if replaceable
        else "it is not empty and not a site written by `newsfacts site`"
    )
    if reason:
        return SiteResult([], [problem("site-target", out, detail=display_path(out), reason=reason)])
    problems = validate(package.layout, rows_only=True)
    if problems:
        return SiteResult([], package.relabel(problems))
    files = site_files(package.layout, changed)

    def fill(folder: Path) -> None:
        for path, data in sorted(files.items()):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)

    try:
        replace_folder(out, fill, MARKER, "A site written by `newsfacts site`; the next build replaces this folder.\n")
    except OSError as error:
        return SiteResult([], [write_problem(out, error)])
    return SiteResult([out / path for path in sorted(files)], [])


def _holds(out: Path, package_dir: Path) -> bool:
    """Whether replacing `out` would replace the package being read: `out` is its folder or holds it (a marker
    planted there would otherwise make it a site to replace)."""
    try:
        return package_dir.resolve().is_relative_to(out.resolve())
    except (OSError, RuntimeError):  # a symlink loop: not the package, which was read through its own path
        return False


def site_files(layout: Layout, changed: Sequence[str] = ()) -> dict[str, bytes]:
    """Every file of the site of the package at `layout` (which `validate` passes), by path from the site's root."""
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
    explorer = Explorer(
        descriptor=descriptor,
        tables=tables,
        seeds=seeds,
        schema_org=_schema_org(copies.get("dataset.jsonld")),
        changed=frozenset(changed),
        dictionary=_dictionary_text(copies.get("README.md"), layout),
        citation=_citation(copies.get("croissant.json"), descriptor),
        json_tables=sorted(name for name in copies if name.startswith("data/") and name.endswith(".json")),
    )
    files = rendered_files(explorer)
    files |= {f"package/{path}": data for path, data in copies.items()}
    return files


def _dictionary_text(data: bytes | None, layout: Layout) -> str | None:
    """The package's data dictionary (README.md) as text, read as every text of a package is (UTF-8, no BOM,
    no control character); None where it is absent or is not such a text, and the page says so."""
    if data is None:
        return None
    text, _ = decode_text(data, layout.dictionary)
    return text


def _citation(croissant: bytes | None, descriptor: dict[str, Any]) -> str:
    """How to cite the package, in BibTeX: the `citeAs` of its croissant.json, which `build` makes from the
    project's CITATION.cff (a release zip carries the same), else what its descriptor says."""
    from ..discovery import bibtex, descriptor_citation

    with contextlib.suppress(ValueError):
        document = parse_json(croissant) if croissant is not None else None
        cite_as = document.get("citeAs") if isinstance(document, dict) else None
        if isinstance(cite_as, str):
            return cite_as
    name = plain_text(descriptor.get("name")) or "package"  # a release may have no name
    citation = descriptor_citation({**descriptor, "name": name})
    return bibtex(name, citation, str(descriptor.get("created") or "")[:4])


def _schema_org(data: bytes | None) -> dict[str, Any] | None:
    """The package's schema.org Dataset, its files' addresses made relative to the site's index."""
    from .html import script_json

    if data is None:
        return None
    try:
        document = parse_json(data)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    try:  # NaN and Infinity parse, but are no JSON: the index would embed a document no reader takes
        json.dumps(document, allow_nan=False)
    except ValueError:
        return None
    # It names every article: the index embeds it where it is short enough (package/dataset.jsonld holds it all).
    if len(script_json(document)) > SCHEMA_ORG_CHARS:
        return None
    distribution = document.get("distribution")
    for download in distribution if isinstance(distribution, list) else []:
        if (
            isinstance(download, dict)
            and isinstance(download.get("contentUrl"), str)
            and "://" not in download["contentUrl"]
        ):
            download["contentUrl"] = f"package/{download['contentUrl']}"
    return document
