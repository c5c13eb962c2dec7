"""The HTML of the explorer: its Jinja environment, and the markup of a seed text with its spans.

Every value from the package is untrusted text: the templates autoescape, a URL is written only
where it is http(s) (`exporters._base.web_url`), and JSON inside a `<script>` has every `<`, `>`
and `&` escaped, so no value can end the script or open markup. The seed text is written so that
the browser's DOM holds exactly its code points (`seed_markup`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from .spans import Segment

# What the HTML parser would not keep as it is: a carriage return becomes a line feed (a CRLF, one
# line feed), so each is written as a character reference, which the parser keeps as U+000D.
_PARSER_NORMALISED = {"\r": "&#13;"}
# The longest name (`label`) and text (`excerpt`) shown for another row or in a list, in code points.
LABEL_CHARS = 80
EXCERPT_CHARS = 400


def environment() -> Environment:
    """The Jinja environment of the templates in explorer/templates.

    A field a package lacks (an older release's table) is empty where a template shows it, as a
    missing value is: Jinja's lenient `Undefined`, not an error.
    """
    env = Environment(
        loader=PackageLoader("newsfacts.explorer", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["script_json"] = script_json
    env.filters["label"] = label
    env.filters["excerpt"] = excerpt
    return env


def label(value: Any, limit: int | None = None) -> Any:
    """A text cut to `limit` code points (LABEL_CHARS), an ellipsis marking the cut; any other value as it is.

    For words shown for another row (an entity's name in a link, an article's outlet, what a highlight is)
    and in lists: a name repeated for each of its thousand mentions would grow a page with its length.
    """
    limit = LABEL_CHARS if limit is None else limit
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def excerpt(value: Any) -> Any:
    """A `label` of a text (a description, a row's value), cut at EXCERPT_CHARS."""
    return label(value, EXCERPT_CHARS)


def script_json(value: Any) -> Markup:
    """`value` as JSON that can stand inside a `<script>` element, whatever its strings hold."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028 and U+2029 are line terminators in old JavaScript engines; JSON allows them raw.
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _text(text: str) -> str:
    escaped = str(escape(text))
    for character, reference in _PARSER_NORMALISED.items():
        escaped = escaped.replace(character, reference)
    return escaped


def seed_markup(pieces: Sequence[Segment], targets: Sequence[str | None], titles: Sequence[str]) -> Markup:
    """The seed's text as HTML: every segment in an element whose `data-at` is its first code point's
    offset, so that a selection's offsets are counted from it (site.js). A highlighted segment is a
    link to `targets[i]` (the smallest span's row, entity, event, sanction or utterance), with the
    class of each span's table and the anchors of its rows in `data-rows` (those `Segment.named`).
    Before the first segment of a span stands an empty element with the span's anchor as its id:
    `#q-000-01` scrolls to it.

    No whitespace is added between elements: the container keeps the text's own line breaks (pre-wrap).
    """
    out: list[str] = []
    for piece, target, title in zip(pieces, targets, titles, strict=True):
        out.extend(
            f'<span class="anchor" id="{escape(span.anchor)}"></span>'
            for span in piece.spans
            if span.start == piece.start
        )
        if not piece.spans:
            out.append(f'<span data-at="{piece.start}">{_text(piece.text)}</span>')
            continue
        kinds = " ".join(dict.fromkeys(f"k-{span.table}" for span in piece.spans))
        rows = " ".join(span.anchor for span in piece.named)
        out.append(
            f'<a class="seg {kinds}" href="{escape(target or "#")}" data-at="{piece.start}" '
            f'data-rows="{escape(rows)}" aria-label="{escape(title)}">{_text(piece.text)}</a>'
        )
    return Markup("".join(out))
