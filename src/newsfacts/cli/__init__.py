"""The `newsfacts` command line. Each subcommand lives in its own module and only formats results."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from .. import __version__, progress, toolkit
from ..problems import NewsfactsError, Problem, problem
from . import (
    _parser,
    add,
    build,
    completion,
    coverage,
    diff,
    download,
    export,
    locate,
    pack,
    release,
    report,
    site,
    synth,
    validate,
)
from ._output import print_failure

COMMANDS = (
    build,
    validate,
    coverage,
    add,
    locate,
    report,
    export,
    site,
    synth,
    diff,
    release,
    pack,
    download,
    completion,
)
# The commands that `pip install newsfacts` runs; every other one needs `pip install 'newsfacts[toolkit]'`.
READING_COMMANDS = (export, locate)


def parser() -> argparse.ArgumentParser:
    root = _parser.Parser(
        prog="newsfacts",
        description="Build, validate and export the newsfacts data package. Every command that reads a "
        "package takes a package folder, a project folder holding datapackage/, a datapackage.json, a "
        "release .zip, or an http(s) URL of either; with none, ./datapackage in a checkout, else the "
        "package bundled with newsfacts. Exit status: 0 success, 1 problems found in the data, 2 usage error "
        "or a source that cannot be read.",
    )
    root.add_argument("--version", action="version", version=f"newsfacts {__version__}")
    subcommands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subcommands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: 0 success, 1 problems found, 2 bad usage or an operation that could not run."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    _parser.usage_format = _parser.requested_format(arguments)
    args = parser().parse_args(arguments)
    output_format = getattr(args, "format", "text")
    # Progress bars are for people: none while the output is for machines, whatever stderr is.
    progress.enabled = output_format == "text"
    try:
        missing = [] if _reads_only(args) else toolkit.missing()
        if missing:
            # The format asked for on the command line: `add` reads its own options only when it runs.
            print_failure(_toolkit_missing(args.command, missing), _parser.usage_format)
            return 2
        return int(args.run(args))
    except KeyboardInterrupt:
        print("newsfacts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): the command could not finish writing, and Python must not
        # try again when it flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 2
    except Exception as error:
        if os.environ.get("NEWSFACTS_TRACEBACK"):
            raise
        if isinstance(error, NewsfactsError):  # a catalogued refusal that the command did not report itself
            failure = error.problem
        else:
            # Every failure the toolkit foresees is a catalogued problem; this is one it did not. The
            # user gets one line that says so (tests/fuzz counts it as a crash), not a traceback.
            detail = f"{type(error).__name__}: {error}"
            failure = problem("internal-error", args.command, detail=detail[:500])
        # The format as the command knows it by now: `add` reads its own arguments when it runs.
        print_failure(failure, getattr(args, "format", output_format))
        return 2
    finally:
        progress.enabled = True


def _reads_only(args: argparse.Namespace) -> bool:
    """Whether the command is one of READING_COMMANDS, which need no more than `pip install newsfacts`."""
    return any(args.run is command.run for command in READING_COMMANDS)


def _toolkit_missing(command: str, modules: list[str]) -> Problem:
    """The command cannot run here: `pip install newsfacts` leaves out the toolkit it needs."""
    return problem("toolkit-missing", command, command=command, modules=", ".join(modules))
