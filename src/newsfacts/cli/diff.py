"""newsfacts diff OLD NEW [--format text|json]"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..problems import NewsfactsError
from ._output import COMPLETE_PATH, add_format_argument, add_limit_arguments, limits_from, print_failure, print_json

if TYPE_CHECKING:
    from ..diff import PackageDiff

ROWS_SHOWN = 20


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "diff",
        help="compare two versions of the package: rows and schemas, and the version bump they need",
        description="Compare two packages. OLD and NEW may each be any package `newsfacts.load()` reads (a "
        "project or package folder, a datapackage.json, a release zip, an http(s) URL of either), or a git ref "
        "of this repository (e.g. HEAD~3, v1.0.0). Rows are matched "
        "by primary key. Files are read as `validate` reads them: nothing outside the package, within the limits. "
        "Exit status: 0 identical, 1 different, 2 usage error or could not compare.",
    )
    for side in ("old", "new"):
        action = command.add_argument(side, metavar=side.upper())
        action.complete = COMPLETE_PATH  # type: ignore[attr-defined]
    add_format_argument(command)
    command.add_argument("--repo", type=Path, default=Path("."), help="the git repository for refs (default: .)")
    add_limit_arguments(command)
    command.set_defaults(run=run)


def format_text(result: PackageDiff) -> list[str]:
    lines = [f"{change.resource or 'package'}: {change.detail} [{change.bump}]" for change in result.changes]
    for table, rows in result.rows.items():
        for key, fields in list(rows.changed.items())[:ROWS_SHOWN]:
            lines.append(f"  {table} {key}: {', '.join(fields)}")
        if len(rows.changed) > ROWS_SHOWN:
            lines.append(f"  {table}: … {len(rows.changed) - ROWS_SHOWN} more changed row(s) (see --format json)")
        for label, keys in (("added", rows.added), ("removed", rows.removed)):
            shown = ", ".join(keys[:ROWS_SHOWN]) + (" …" if len(keys) > ROWS_SHOWN else "")
            if keys:
                lines.append(f"  {table} {label}: {shown}")
    if result.articles:
        lines.append(f"articles whose rows changed: {', '.join(result.articles)}")
    lines.append(f"required bump: {result.bump or 'none (identical)'}")
    return lines


def run(args: argparse.Namespace) -> int:
    from ..diff import diff_sides  # imported here so that `newsfacts --help` stays fast

    try:
        result = diff_sides(args.old, args.new, args.repo, limits_from(args))
    except NewsfactsError as error:
        print_failure(error.problem, args.format)
        return 2
    if args.format == "json":
        print_json(result.to_dict())
    else:
        print("\n".join(format_text(result)))
    return 1 if result.changes else 0
