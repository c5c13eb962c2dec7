"""A progress bar for long work (validating a large package, synthesising, packing).

It draws on stderr only when stderr is a terminal: in CI and in pipes the output stays exactly
what the command prints, with nothing to strip. No dependency, and nothing heavy to import.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

# Off while a command writes for machines (`--format json`), where stderr may still be a terminal.
enabled = True
WIDTH = 30
# Redrawing more often than this costs time and shows nothing new.
MIN_INTERVAL = 0.1


class Progress:
    """Counts units of work towards `total`; use as a context manager and call `advance()`.

    with Progress("validating", total=rows) as bar:
        bar.advance(len(batch))
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self._drawn = 0.0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def advance(self, units: int = 1, label: str | None = None) -> None:
        self.done = min(self.done + units, self.total) if self.total else self.done + units
        if label is not None:
            self.label = label
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < MIN_INTERVAL:
            return
        self._drawn = now
        share = self.done / self.total if self.total else 0.0
        filled = round(share * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%} ({self.done:,}/{self.total:,})\x1b[K")
        self.stream.flush()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.enabled:
            # Clear the bar so that what the command prints next starts on a clean line.
            self.stream.write("\r\x1b[K")
            self.stream.flush()
