"""The progress bar draws on a terminal only."""

from __future__ import annotations

import io

from newsfacts.progress import Progress


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
