"""newsfacts coverage [ARTICLE] [--package PACKAGE_DIR] [--format text|json]"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ._output import DEFAULT_PACKAGE, add_limit_arguments, layout_from, print_problems

# models.ARTICLE_ID, written again because importing the models (pydantic) would slow `newsfacts --help`.
ARTICLE_ID = re.compile(r"art-[0-9]{3,}")


def _article_id(value: str) -> str:
    if not ARTICLE_ID.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is no article id (art-NNN); give a package with --package")
    return value


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "coverage",
        help="list what the package may still lack: quotations, mentions, actors",
        description="List the quotations that no quotes or non_quotes row covers, the names and aliases of "
        "entities printed in an article where the entity has no mention of that form, and the events with no "
        "actor: what a contributor has still to annotate. The names are candidates to look at (see "
        "docs/codebook.md), the quotations are what `validate` requires. "
        "Exit status: 0 nothing listed, 1 gaps listed, 2 what was asked could not be examined.",
    )
    command.add_argument(
        "article", nargs="?", type=_article_id, metavar="ARTICLE", help="one article, e.g. art-002 (default: all)"
    )
    command.add_argument(
        "--package",
        dest="package_dir",
        type=Path,
        default=DEFAULT_PACKAGE,
        metavar="PACKAGE_DIR",
        help="the package directory (default: datapackage/); seeds/ sits beside it",
    )
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..coverage import GAP_KINDS, coverage

    found = coverage(layout_from(args), args.article)
    if args.format == "json":
        report = {
            "gaps": [gap.as_json() for gap in found.gaps],
            "kinds": GAP_KINDS,
            "notes": found.notes,
            "refusals": [p.to_dict() for p in found.refusals],
            "problems": [p.to_dict() for p in found.problems],
        }
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_problems(found.refusals, "text")
        for gap in found.gaps:
            span = f" [{gap.char_start}, {gap.char_end}) {gap.text!r}" if gap.char_start is not None else ""
            print(f"{gap.path}:{gap.line}: {gap.kind}: {gap.subject}{span}")
        for note in found.notes:
            print(f"note: {note}", file=sys.stderr)
        if found.problems and not found.refusals:
            print(f"note: `newsfacts validate` reports {len(found.problems)} problem(s)", file=sys.stderr)
        if not found.refusals:
            print(f"{len(found.gaps)} gap(s) listed" if found.gaps else "nothing listed", file=sys.stderr)
    if found.refusals:
        return 2
    return 1 if found.gaps else 0
