"""newsfacts coverage [ARTICLE] [--package PACKAGE_DIR] [--format text|json]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._output import DEFAULT_PACKAGE, add_limit_arguments, limits_from, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "coverage",
        help="list what the package may still lack: quotations, mentions, actors",
        description="List the quotations that no quotes or non_quotes row covers, the names and aliases of "
        "entities printed in an article where the entity has no mention of that form, and the events with no "
        "actor: what a contributor has still to annotate. The names are candidates to look at (see "
        "docs/codebook.md), the quotations are what `validate` requires. "
        "Exit status: 0 nothing listed, 1 gaps listed, 2 the package could not be read.",
    )
    command.add_argument("article", nargs="?", metavar="ARTICLE", help="one article, e.g. art-002 (default: all)")
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
    from ..package import Layout
    from ..problems import codes

    gaps, problems = coverage(Layout(args.package_dir, limits_from(args)), args.article)
    unreadable = [p for p in problems if p.code in codes("structure") or p.code == "structure-first"]
    if args.format == "json":
        report = {
            "gaps": [gap.as_json() for gap in gaps],
            "kinds": GAP_KINDS,
            "problems": [p.to_dict() for p in problems],
        }
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_problems(unreadable, "text")
        for gap in gaps:
            where = (
                f"{gap.article_id} [{gap.char_start}, {gap.char_end}) line {gap.line}"
                if gap.text
                else f"line {gap.line}"
            )
            shown = f" {gap.text!r}" if gap.text else ""
            print(f"{gap.kind}: {gap.subject}: {where}{shown}")
        if problems and not unreadable:
            print(f"note: {len(problems)} problem(s) kept rows out; `newsfacts validate` lists them", file=sys.stderr)
        print(f"{len(gaps)} gap(s) listed" if gaps else "nothing listed", file=sys.stderr)
    if unreadable:
        return 2
    return 1 if gaps else 0
