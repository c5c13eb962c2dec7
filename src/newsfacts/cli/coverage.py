"""newsfacts coverage [ARTICLE …] [--changed-since REF] [--package SOURCE] [--format text|json|github]"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..problems import NewsfactsError
from ._output import (
    YELLOW,
    add_format_argument,
    add_limit_arguments,
    add_source_argument,
    opened_source,
    paint,
    print_json,
    print_outcome,
    print_problems,
    workflow_command,
)

if TYPE_CHECKING:
    from ..coverage import Coverage
    from ..source import Opened

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
        "--package takes any package `newsfacts.load()` reads. "
        "Exit status: 0 nothing listed, 1 gaps listed, 2 usage error, a source that cannot be read, or what "
        "was asked could not be examined.",
    )
    command.add_argument(
        "articles", nargs="*", type=_article_id, metavar="ARTICLE", help="articles, e.g. art-002 (default: all)"
    )
    command.add_argument(
        "--changed-since",
        default=None,
        metavar="REF",
        help="the articles whose rows differ from REF's package (a git ref, a folder or a release zip, as "
        "`newsfacts diff` reads it): what a pull request touched",
    )
    add_source_argument(command, flag="--package")
    add_format_argument(command, github=True)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..coverage import Coverage, coverage, listed_articles

    if args.articles and args.changed_since is not None:
        raise NewsfactsError.of(
            "usage-error", "newsfacts coverage", detail="give ARTICLEs or --changed-since, not both"
        )
    with opened_source(args) as package:
        articles = args.articles or None
        if args.changed_since is not None:
            from ..diff import diff_sides

            touched = diff_sides(args.changed_since, str(package.layout.package_dir), Path.cwd()).articles
            # An article the change removed has nothing left to cover.
            articles = sorted(set(touched) & set(listed_articles(package.layout)))
            if not articles:
                nothing = Coverage([], [], [], [f"no article's rows differ from {args.changed_since}"])
                return _report(nothing, articles, package, args.format)
        return _report(coverage(package.layout, articles or []), articles, package, args.format)


def _report(found: Coverage, articles: list[str] | None, package: Opened, output_format: str) -> int:
    """Print the gaps (text, json or GitHub warnings); return the exit status."""
    from ..coverage import GAP_KINDS

    gaps = [dataclasses.replace(gap, path=package.where(gap.path)) for gap in found.gaps]
    refusals, problems = package.relabel(found.refusals), package.relabel(found.problems)
    if output_format == "github":
        print_problems(refusals, "github")
        for gap in gaps:
            span = f" [{gap.char_start}, {gap.char_end}) {gap.text!r}" if gap.char_start is not None else ""
            print(workflow_command("warning", gap.path, gap.line, f"coverage: {gap.kind}", f"{gap.subject}{span}"))
    elif output_format == "json":
        report = {
            "articles": articles,  # null: every article
            "gaps": [gap.as_json() for gap in gaps],
            "kinds": GAP_KINDS,
            "notes": found.notes,
            "refusals": [p.to_dict() for p in refusals],
            "problems": [p.to_dict() for p in problems],
        }
        print_json(report)
    else:
        print_problems(refusals, "text")
        for gap in gaps:
            span = f" [{gap.char_start}, {gap.char_end}) {gap.text!r}" if gap.char_start is not None else ""
            print(f"{gap.path}:{gap.line}: {paint(gap.kind, YELLOW, sys.stdout)}: {gap.subject}{span}")
        for note in found.notes:
            print(f"note: {note}", file=sys.stderr)
        if problems and not refusals:
            print(f"note: `newsfacts validate` reports {len(problems)} problem(s)", file=sys.stderr)
        if not refusals:
            print_outcome(f"{len(gaps)} gap(s) listed" if gaps else "nothing listed", not gaps)
    if found.refusals:
        return 2
    return 1 if found.gaps else 0
