"""Size limits for untrusted input. Kept free of heavy imports: the CLI reads them for --help."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Size limits for untrusted input; override them with `--max-file-bytes`/`--max-cell-chars`."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_cell_chars: int = 20_000
