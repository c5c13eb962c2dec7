"""The argument parser: "did you mean" on a mistyped command, option or choice, and usage errors as JSON.

Python 3.11's argparse has no `suggest_on_error` (3.14 adds it), so the suggestions are made here
with difflib, the same way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ..problems import did_you_mean, problem
from ._output import print_failure

# Set by `main` from the raw arguments: a usage error is one JSON document too when --format json was asked for.
usage_format = "text"


def requested_format(argv: Sequence[str]) -> str:
    """The --format the arguments ask for, read before (or without) parsing them."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--format="):
            return arg.partition("=")[2]
        if arg == "--format" and index + 1 < len(argv):
            return argv[index + 1]
    return "text"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that suggests the nearest command, choice or option, and exits 2 on a usage error."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as error:
            if action.choices is None or not isinstance(value, str):
                raise
            raise argparse.ArgumentError(
                action, f"{error.message}{did_you_mean(value, list(action.choices))}"
            ) from None

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        arguments = list(sys.argv[1:] if args is None else args)
        # Unknown options first: argparse would otherwise complain about whatever the mistyped option's
        # value ran into (a positional of the wrong form), and never name the option.
        command = self._command_parser(arguments)
        # A command that takes every argument itself (`add`, whose options its models define) checks its own;
        # with no known command named, the mistyped command is the error to report, not its options.
        named = command is not self or not any(isinstance(a, argparse._SubParsersAction) for a in self._actions)
        for arg in arguments if named and "-" in command.prefix_chars else ():
            if arg == "--":
                break
            if arg.startswith("--") and not self._known(command, arg.partition("=")[0]):
                hint = did_you_mean(arg.partition("=")[0], self._long_options(command))
                command.error(f"unrecognized arguments: {arg}{hint}")
        parsed, extras = self.parse_known_args(arguments, namespace)
        if extras:
            command.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _command_parser(self, arguments: Sequence[str]) -> argparse.ArgumentParser:
        """The parser of the command the arguments name (the first one that is a command), or this one."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for arg in arguments:
                    if arg in action.choices:
                        found = action.choices[arg]
                        return found if isinstance(found, argparse.ArgumentParser) else self
        return self

    @staticmethod
    def _long_options(command: argparse.ArgumentParser) -> list[str]:
        return sorted(option for option in command._option_string_actions if option.startswith("--"))

    def _known(self, command: argparse.ArgumentParser, option: str) -> bool:
        """An option of the command, or an unambiguous abbreviation of one, as argparse accepts it."""
        options = self._long_options(command) + self._long_options(self)
        return option in options or len({o for o in options if o.startswith(option)}) == 1

    def error(self, message: str) -> NoReturn:
        if usage_format == "json":
            print_failure(problem("usage-error", self.prog, detail=message), "json")
        else:
            self.print_usage(sys.stderr)
            print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)
