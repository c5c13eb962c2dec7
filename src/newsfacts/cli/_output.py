"""What every command shares: how it names its package, and how it prints problems for people (text,
coloured on a terminal) and machines (json)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from ..limits import Limits
from ..problems import Problem, exit_status
from ..source import CHECKOUT_PACKAGE, SOURCE_UNREADABLE, command_default

if TYPE_CHECKING:
    from ..source import Opened

SOURCES = (
    "a package folder, a project folder holding datapackage/, a datapackage.json, a release .zip, "
    "or an http(s) URL of either"
)
# How shtab completes a path (shtab.FILE), written out so that `--help` need not import shtab.
COMPLETE_PATH = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}


def add_source_argument(
    command: argparse.ArgumentParser, *, checkout_only: bool = False, flag: str | None = None
) -> None:
    """The package a command reads (SOURCE): any source `newsfacts.load()` reads; a command that writes
    into the project (CHECKOUT_ONLY) takes only a checkout's folder or descriptor."""
    if checkout_only:
        help_text = (
            "the project folder, its datapackage/ folder or its datapackage.json (default: ./datapackage); "
            "this command works on a checkout, not on a release zip or a URL"
        )
    else:
        help_text = f"{SOURCES} (default: ./datapackage in a checkout, else the package bundled with newsfacts)"
    names = [flag] if flag else ["source"]
    extra: dict[str, Any] = {"dest": "source"} if flag else {"nargs": "?"}
    action = command.add_argument(*names, default=None, metavar="SOURCE", help=help_text, **extra)
    action.complete = COMPLETE_PATH  # type: ignore[attr-defined]
    command.set_defaults(checkout_only=checkout_only)


@contextmanager
def opened_source(args: argparse.Namespace) -> Iterator[Opened]:
    """The package the command was given, on disk until the block ends (see `source.opened`)."""
    from ..source import opened

    if args.checkout_only:
        source = CHECKOUT_PACKAGE if args.source is None else args.source
        local_only = args.command
    else:
        source = command_default() if args.source is None else args.source
        local_only = None
    with opened(source, limits_from(args), local_only=local_only) as package:
        yield package


# option name -> (Limits field, what exceeding it means)
LIMIT_OPTIONS = {
    "--max-file-bytes": ("max_file_bytes", "refuse files larger than N bytes"),
    "--max-cell-chars": ("max_cell_chars", "report cells longer than N characters"),
}


def add_limit_arguments(command: argparse.ArgumentParser) -> None:
    defaults = Limits()
    for option, (field, meaning) in LIMIT_OPTIONS.items():
        default = getattr(defaults, field)
        command.add_argument(option, type=int, default=default, metavar="N", help=f"{meaning} (default: {default})")


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(**{field: getattr(args, field) for field, _ in LIMIT_OPTIONS.values()})


def add_format_argument(command: argparse.ArgumentParser, *, github: bool = False) -> None:
    """--format: text for people, json (one document on stdout, failures too) for machines."""
    choices = ("text", "json", "github") if github else ("text", "json")
    more = ", or github (GitHub Actions annotations on the PR diff)" if github else ""
    command.add_argument(
        "--format",
        choices=choices,
        default="text",
        help=f"output format: text (default), json (one JSON document on stdout, failures too){more}",
    )


def failure_status(failure: Problem) -> int:
    """2 when the source could not be read or a file could not be written, else 1 (the data has problems)."""
    return 2 if failure.code in SOURCE_UNREADABLE else exit_status([failure])


# Colour: only where a person reads it (https://no-color.org, https://force-color.org).
RED, YELLOW, GREEN, RESET = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m"


def colour(stream: TextIO) -> bool:
    """Whether to colour what goes to STREAM: never with NO_COLOR, always with FORCE_COLOR, else on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def paint(text: str, code: str, stream: TextIO) -> str:
    return f"{code}{text}{RESET}" if colour(stream) else text


def format_problem(item: Problem, stream: TextIO) -> str:
    """`path:line:field: code: message`, the code in red on a terminal."""
    return f"{item.path}:{item.line or ''}:{item.field or ''}: {paint(item.code, RED, stream)}: {item.message}"


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_outcome(message: str, ok: bool) -> None:
    """The one-line summary on stderr: green when all went well, red otherwise (on a terminal)."""
    print(paint(message, GREEN if ok else RED, sys.stderr), file=sys.stderr)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(item: Problem) -> str:
    """A workflow command that GitHub shows as an error on the file and line of the PR diff."""
    title = item.code if not item.field else f"{item.code} ({item.field})"
    return workflow_command("error", item.path, item.line, title, item.message)


def workflow_command(level: str, path: str, line: int | None, title: str, message: str) -> str:
    """`::error` or `::warning`: a message GitHub shows on the file and line of the PR diff."""
    properties = [f"file={_escape_property(path)}"]
    if line:
        properties.append(f"line={line}")
    properties.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(properties)}::{_escape_data(message)}"


def refuse(problems: Sequence[Problem], output_format: str, outcome: str) -> int:
    """Print the problems that stopped a command, then what that left undone; return the exit status."""
    print_problems(problems, output_format)
    print_outcome(outcome, False)
    return max([exit_status(problems), *(failure_status(item) for item in problems)])


def print_problems(problems: Sequence[Problem], output_format: str) -> None:
    """One line per problem (text), a JSON list with each problem's hint, or GitHub annotations.

    As text, each code's hint follows once, on stderr, so that stdout stays one line per problem.
    """
    if output_format == "github":
        for item in problems:
            print(github_annotation(item))
        return
    if output_format == "json":
        print_json([p.to_dict() for p in problems])
        return
    for item in problems:
        print(format_problem(item, sys.stdout))
    sys.stdout.flush()  # the hints come after the problems, also where stdout is a pipe
    print_hints(problems)


def print_hints(problems: Sequence[Problem]) -> None:
    for code, hint in {item.code: item.hint for item in problems}.items():
        print(f"hint: {paint(code, YELLOW, sys.stderr)}: {hint}", file=sys.stderr)


def print_failure(failure: Problem, output_format: str) -> None:
    """A problem that stopped a command: on stderr as text, or on stdout for machines (json, github)."""
    if output_format in ("json", "github"):
        print_problems([failure], output_format)
    else:
        print(format_problem(failure, sys.stderr), file=sys.stderr)
        print_hints([failure])
