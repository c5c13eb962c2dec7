"""Text put into the Markdown tables that `build` writes (the data dictionary, docs/problems.md, the README)."""

from __future__ import annotations

import html


def table_cell(text: str) -> str:
    """`text` as one cell of a Markdown table: a `|` would end the cell, a line break the row."""
    return " ".join(text.replace("|", "\\|").splitlines())


def data_cell(text: str) -> str:
    """A cell from the data (a headline): also no HTML, so that no value can open a comment such as the
    markers `build` writes between, nor hide the rest of the page."""
    return table_cell(html.escape(text, quote=False))
