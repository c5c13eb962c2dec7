"""The progress bar draws on a terminal only."""

from __future__ import annotations

import io
import sys

import pytest

from newsfacts.archive import zip_bytes
from newsfacts.progress import Progress
from newsfacts.validate import validate

from .conftest import fixture_layout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("working", 10, stream) as bar:
        bar.advance(10)
    assert stream.getvalue() == ""


def test_draws_and_clears_on_a_terminal() -> None:
    stream = Terminal()
    with Progress("working", 4, stream) as bar:
        bar.advance(4)
    output = stream.getvalue()
    assert "working [" in output
    assert output.endswith("\r\x1b[K")


def test_long_work_reports_progress_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packing and validating draw their bars on stderr when it is a terminal, and stay silent otherwise."""
    for stream, drawn in [(Terminal(), True), (io.StringIO(), False)]:
        monkeypatch.setattr(sys, "stderr", stream)
        zip_bytes({"data/a.csv": b"a\n1\n"})
        validate(fixture_layout("minimal-valid"))
        output = stream.getvalue()
        assert ("packing [" in output and "checking" in output and "reading" in output) == drawn
        assert output == "" or drawn
