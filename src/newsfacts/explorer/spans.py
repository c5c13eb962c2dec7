"""The verbatim spans of an article, cut into the segments its page highlights, and its pages.

Every row of a span table (a model of `models.Evidence`) is one span `[char_start, char_end)` of its
article's seed, in Unicode code points as `validate` counts them (a Python `str` index). Spans
overlap (a name inside a quote inside an event's evidence), so the text is cut at every span's
start and end: each segment is covered by a fixed set of spans, and carries their anchors. A long
article is paginated between spans where it can be, preferably at a line break; where spans chained
one into the next would carry a page past its limits, the page is cut inside them, and a span that
is cut is highlighted on both pages (`segments` clips it).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import MODELS, Evidence, Row

# A page of an article holds at most this many code points of its text, and this many spans, so that no
# page grows past about a megabyte and a half: a span costs about 900 bytes (150 for its segments in the
# text, 750 for its row in the list below), a code point of text one to three.
PAGE_CHARS = 60_000
PAGE_SPANS = 1_200
# The span tables, in the order of models.TABLES: the legend's order, and the order of a segment's rows.
SPAN_TABLES: tuple[type[Evidence], ...] = tuple(
    model for model in MODELS.values() if issubclass(model, Evidence) and "article_id" in model.model_fields
)
# A segment names at most this many of the spans that cover it, its smallest: nested spans cover every segment
# between their ends, and naming each of them in each segment would grow a page with the square of their number.
# (A span covered throughout by more smaller ones is named by no segment; its row and anchor are on its page.)
SEGMENT_ROWS = 8
# An anchor is at most this long: it stands in each segment its span covers, and ids have no length limit.
ANCHOR_CHARS = 160
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


def row_anchor(model: type[Row], row: Mapping[str, Any]) -> str:
    """The row's id in a page (`#q-000-01`), from its primary key: the key itself where it is one field,
    else the row's name and its key's values but the article (an article page holds the row). A longer
    anchor than ANCHOR_CHARS is cut, and ends with its hash."""
    if len(model.primary_key) == 1:
        anchor = _ANCHOR_UNSAFE.sub("-", str(row[model.primary_key[0]]))
    else:
        values = [str(row[name]) for name in model.primary_key if name != "article_id"]
        anchor = _ANCHOR_UNSAFE.sub("-", "-".join([model.row_name, *values]))
    if len(anchor) <= ANCHOR_CHARS:
        return anchor
    digest = hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:16]
    return f"{anchor[: ANCHOR_CHARS - len(digest) - 1]}-{digest}"


@dataclass(frozen=True)
class Span:
    table: str  # the span table's resource name
    anchor: str  # row_anchor of its row
    start: int
    end: int
    row: Mapping[str, Any]


@dataclass(frozen=True)
class Segment:
    """A piece of the seed text `[start, start + len(text))` and the spans that cover all of it (none: plain text)."""

    start: int
    text: str
    spans: tuple[Span, ...]

    @property
    def named(self) -> tuple[Span, ...]:
        """The spans the segment's markup names: all of them, or the SEGMENT_ROWS smallest, in their order."""
        if len(self.spans) <= SEGMENT_ROWS:
            return self.spans
        by_size = sorted(range(len(self.spans)), key=lambda i: (self.spans[i].end - self.spans[i].start, i))
        return tuple(self.spans[i] for i in sorted(by_size[:SEGMENT_ROWS]))


def spans_by_article(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[Span]]:
    """Every article's spans, read in one pass over the span tables: by article, in the order of their
    start, then of SPAN_TABLES, then of their anchors."""
    found: dict[str, list[tuple[int, int, str, Span]]] = {}
    for order, model in enumerate(SPAN_TABLES):
        for row in tables.get(model.resource_name, ()):
            span = Span(model.resource_name, row_anchor(model, row), row["char_start"], row["char_end"], row)
            found.setdefault(row["article_id"], []).append((span.start, order, span.anchor, span))
    return {
        article: [span for *_, span in sorted(spans, key=lambda item: item[:3])] for article, spans in found.items()
    }


def segments(text: str, start: int, end: int, spans: Iterable[Span]) -> list[Segment]:
    """The text `[start, end)` cut at every span's start and end within it; the spans overlap it (one that
    begins before it or ends after it, a page cut inside spans, covers the segments at that end)."""
    order = {model.resource_name: index for index, model in enumerate(SPAN_TABLES)}
    spans = list(spans)
    inside = {span.start for span in spans} | {span.end for span in spans}
    cuts = sorted({start, end} | {cut for cut in inside if start < cut < end})
    starting: dict[int, list[Span]] = {}
    for span in spans:
        starting.setdefault(max(span.start, start), []).append(span)
    active: list[Span] = []
    pieces = []
    for left, right in itertools.pairwise(cuts):
        active = [span for span in active if span.end > left] + starting.get(left, [])
        covering = tuple(sorted(active, key=lambda span: (order[span.table], span.anchor)))
        pieces.append(Segment(left, text[left:right], covering))
    return pieces


def page_ranges(
    text: str,
    spans: Sequence[Span],
    chars: int = PAGE_CHARS,
    most_spans: int = PAGE_SPANS,
    cost: Callable[[int, int], int] | None = None,
    budget: int = 0,
) -> list[tuple[int, int]]:
    """The article's pages as `[start, end)` ranges of its text: each at most `chars` code points and
    `most_spans` spans where the spans allow, cut after a line break where one is near, and not
    inside a span (a span longer than a page gets a page of its own).

    Spans that overlap one another in a chain may cover the whole text: where the spans would carry a
    page past the longest span beyond its limit, or past `most_spans` spans, it is cut inside them.
    A page whose `cost(start, end)` is over `budget` is halved, inside spans if it must be, until it is
    not or holds one code point.
    """
    # Where a cut would fall inside a span: the union of the spans, as sorted disjoint intervals.
    covered: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda span: span.start):
        if covered and span.start < covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], span.end))
        else:
            covered.append((span.start, span.end))
    covered_starts = [interval[0] for interval in covered]
    span_starts = sorted(span.start for span in spans)
    longest = max((span.end - span.start for span in spans), default=0)

    def safe(position: int) -> int:
        """The first position at or after `position` that no span crosses."""
        index = bisect.bisect_right(covered_starts, position) - 1
        if index >= 0 and covered[index][0] < position < covered[index][1]:
            return covered[index][1]
        return position

    def cut_before(page_start: int, limit: int) -> int:
        cut = safe(_line_break_before(text, page_start, limit))
        if cut <= page_start:  # a span from the page's start past the limit: the page holds all of it
            cut = safe(limit)
        held = bisect.bisect_left(span_starts, cut) - bisect.bisect_left(span_starts, page_start)
        return limit if cut - limit > longest or held > most_spans else cut

    ranges = []
    page_start = 0
    while page_start < len(text):
        limit = min(len(text), page_start + chars)
        # No more than `most_spans` spans start on the page.
        first = bisect.bisect_left(span_starts, page_start)
        if first + most_spans < len(span_starts):
            limit = min(limit, max(span_starts[first + most_spans], page_start + 1))
        cut = len(text) if limit >= len(text) else cut_before(page_start, limit)
        while cost is not None and cut - page_start > 1 and cost(page_start, cut) > budget:
            half = page_start + (cut - page_start) // 2
            smaller = safe(_line_break_before(text, page_start, half))
            cut = smaller if page_start < smaller < cut else half
        ranges.append((page_start, cut))
        page_start = cut
    return ranges or [(0, 0)]


def page_number(ranges: Sequence[tuple[int, int]], position: int) -> int:
    """The page (from 1) of `page_ranges` that a span starting at `position` is listed on: the one it starts in."""
    return max(1, bisect.bisect_right([start for start, _ in ranges], position))


def _line_break_before(text: str, start: int, limit: int) -> int:
    """Just after the last line break in `(start + half a page, limit]`, else after the last blank, else `limit`."""
    floor = start + (limit - start) // 2
    for separator in ("\n", " "):
        found = text.rfind(separator, floor, limit)
        if found >= 0:
            return found + 1
    return limit
