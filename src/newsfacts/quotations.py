"""Where a seed text quotes someone: every span between quotation marks, found by one written rule.

The rule (docs/codebook.md will give it with examples):

- A paragraph is a line of the seed. Quotation marks pair within a paragraph.
- Double quotation marks: `“` or `"` opens, `”` or `"` closes. Marks met inside an open double
  quotation are part of it (a nested quotation, or a stray mark).
- A double quotation still open at the end of its paragraph ends there (`closed` is False). In
  news style a quotation that runs on into the next paragraph leaves its first paragraph
  unclosed and opens the next with `“` again; each paragraph's part is its own span.
- Single quotation marks (`‘` or `'` opening, `’` or `'` closing) count only outside a double
  quotation, only where they cannot be apostrophes: an opening mark stands at the start of the
  paragraph or after a space or an opening bracket or dash, before a non-space; a closing mark
  stands after a non-space, before the end, a space or punctuation, and never between two
  letters or digits (`it’s`, `Iran's`). A single quotation must close in its paragraph;
  otherwise its opening mark was an apostrophe (`’90s`) and nothing is found.
- A span is the text between the marks, in code points, half-open, as the offsets of every
  table count them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

DOUBLE_OPENING = {"“": "”", '"': '"'}
DOUBLE_CLOSING = {"”", '"'}
SINGLE_OPENING = {"‘", "'"}
SINGLE_CLOSING = {"’", "'"}
_MARKS = re.compile("[“”\"‘’'\n]")
# What may stand before an opening single quotation mark, and after a closing one (or the paragraph's edge).
_BEFORE_OPENING = set(" \t([{—–-/")
_AFTER_CLOSING = set(" \t.,;:!?)]}—–-/")


@dataclass(frozen=True)
class Quotation:
    """The text between a pair of quotation marks, at code points [start, end) of the seed."""

    start: int
    end: int
    text: str
    mark: str  # the opening mark
    closed: bool  # False when the paragraph ended before a closing mark


def quotations(seed: str) -> list[Quotation]:
    """Every quotation of a seed text, in order (see the module's rule)."""
    return [Quotation(start, end, seed[start:end], mark, closed) for start, end, mark, closed in spans(seed)]


def spans(seed: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, opening mark, closed) of each quotation: one pass over the marks and line breaks."""
    found: list[tuple[int, int, str, bool]] = []
    double: tuple[int, str] | None = None  # where the open double quotation's text starts, and its mark
    single: tuple[int, str] | None = None
    for match in _MARKS.finditer(seed):
        at, mark = match.start(), match.group()
        if mark == "\n":  # a paragraph ends: an open double quotation ends with it, an open single was an apostrophe
            if double is not None:
                found.append((double[0], at, double[1], False))
            double = single = None
        elif double is not None:
            if mark in DOUBLE_CLOSING:
                found.append((double[0], at, double[1], True))
                double = None
        elif single is not None and mark in SINGLE_CLOSING and _closes(seed, at):
            found.append((single[0], at, single[1], True))
            single = None
        elif mark in DOUBLE_OPENING and single is None:
            double = (at + 1, mark)
        elif mark in SINGLE_OPENING and single is None and _opens(seed, at):
            single = (at + 1, mark)
    if double is not None:
        found.append((double[0], len(seed), double[1], False))
    return found


def _opens(text: str, at: int) -> bool:
    before_ok = at == 0 or text[at - 1] in _BEFORE_OPENING or text[at - 1] == "\n"
    return before_ok and at + 1 < len(text) and not text[at + 1].isspace()


def _closes(text: str, at: int) -> bool:
    after = text[at + 1] if at + 1 < len(text) else ""
    between_letters = at > 0 and text[at - 1].isalnum() and after.isalnum()
    at_an_edge = after in ("", "\n") or after in _AFTER_CLOSING
    return at > 0 and not text[at - 1].isspace() and at_an_edge and not between_letters


def uncovered(found: list[Quotation], rows: list[tuple[int, int]]) -> list[Quotation]:
    """The quotations that no row's span [char_start, char_end) overlaps.

    A quotation [start, end) is covered when, of the rows that start before its end, the one
    that reaches furthest ends after its start: a bisection per quotation, not a scan of every row.
    """
    ordered = sorted(rows)
    starts = [start for start, _ in ordered]
    reach = list(accumulate((end for _, end in ordered), max))
    missing = []
    for quotation in found:
        before_end = bisect_left(starts, quotation.end)
        if before_end == 0 or reach[before_end - 1] <= quotation.start:
            missing.append(quotation)
    return missing
