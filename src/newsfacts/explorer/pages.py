"""The explorer's pages: what each shows, worked out from the package's rows, and rendered.

`rendered_files(explorer)` returns every page and asset of the site by its path. Each page is made by one function
here from `Explorer`, the package's rows as plain values; `Places` knows which page holds each
anchor, so a link is made once its target's page is known (a long list or article is paginated).
No page grows past about 2 MB whatever the package holds: lists are cut into pages by rows and by
the words they show (`chunks`, `within`), and names shown for another row are cut (`html.label`).
Pages are rendered in a fixed order from sorted rows, and hold no time: the same package makes
the same bytes.
"""

from __future__ import annotations

import bisect
import hashlib
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..cells import split_list
from ..exporters._base import text as plain_text
from ..exporters._base import web_url
from ..models import MODELS, RELATION_TYPES
from . import spans as span_module
from . import timeline, wording
from .html import EXCERPT_CHARS, LABEL_CHARS, environment, excerpt, label, seed_markup

Row = Mapping[str, Any]
# Rows a list page (or a list on a page) holds, events a timeline page draws, and pairs a conflicts page shows.
LIST_PAGE_ROWS = 250
TIMELINE_PAGE_EVENTS = 150
CONFLICTS_PAGE_PAIRS = 50
# A page holds about this many code points of the package's words at most (`words`), each at most 5 bytes once
# escaped (`&#34;`): a list page has fewer rows where they are long, and a list within a page stops, saying how many
# rows it leaves out. A cell has up to 20,000 code points (`--max-cell-chars`); 250 of them would make 25 MB.
PAGE_WORDS = 200_000
# An article page's words (`_page_cost`: its text counts twice, in its highlights' accessible names too).
ARTICLE_PAGE_WORDS = 2 * PAGE_WORDS
# The words a link, an id or an offset costs in a list, about.
LINK_WORDS = LABEL_CHARS + 40
# The longest data dictionary (README.md) shown as a page, in code points: a Markdown table grows five-fold in HTML.
DICTIONARY_CHARS = 200_000
# The kind of page of each table that has pages of its own, for the foreign keys that name its rows.
KIND_OF_TABLE = {"articles": "article", "entities": "entity", "events": "event", "sanctions": "sanction"}
# A field that names what has a page but no table: the statement a quote words.
KIND_OF_FIELD = {"utterance_id": "utterance"}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}$")
# The longest code-point part of a name made from an id (a file name may have 255 bytes).
MADE_NAME_CHARS = 150
ASSETS = ("site.css", "site.js")


@dataclass
class Explorer:
    """What the pages are made from: the package's descriptor, its rows and its seed texts."""

    descriptor: Mapping[str, Any]
    tables: Mapping[str, Sequence[Row]]
    seeds: Mapping[str, str]  # article_id -> text
    schema_org: Mapping[str, Any] | None = None  # the schema.org Dataset to embed in the index
    changed: frozenset[str] = frozenset()  # the articles a change touched, listed first on the index
    dictionary: str | None = None  # the data dictionary (Markdown), where the package has one
    citation: str | None = None  # how to cite the package (BibTeX)
    json_tables: Sequence[str] = ()  # the package's JSON tables, beside its CSVs
    _indexes: dict[tuple[str, str], dict[str, Row]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return plain_text(self.descriptor.get("name")) or "package"

    @property
    def version(self) -> str | None:
        return plain_text(self.descriptor.get("version"))

    def rows(self, table: str) -> list[Row]:
        return list(self.tables.get(table, ()))

    def by_key(self, table: str, key: str) -> dict[str, Row]:
        """The table's rows by a unique key (made once: every page asks for the entities)."""
        if (table, key) not in self._indexes:
            self._indexes[table, key] = {row[key]: row for row in self.rows(table)}
        return self._indexes[table, key]


def file_name(key: str) -> str:
    """A page's file name (or a list page's anchor) for an id: the id where it is a plain name, else a name
    made from it that cannot leave the folder (an id is untrusted text). No two ids get one name: a made
    name starts with `id-`, as no id used as it is does, and a long id's ends with the id's hash."""
    if _SAFE_NAME.match(key) and not key.startswith("id-"):
        return key
    made = "-".join(f"{ord(character):x}" for character in key)
    if len(made) <= MADE_NAME_CHARS:
        return f"id-{made}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"id-{made[: MADE_NAME_CHARS - len(digest) - 1]}-{digest}"


def page_path(base: str, number: int) -> str:
    """The path of a list's page `number` (from 1): `events.html`, `events-p2.html`."""
    stem = base.removesuffix(".html")
    return f"{stem}.html" if number == 1 else f"{stem}-p{number}.html"


def words(*values: Any) -> int:
    """How many code points of text the values hold: `words(*row.values())` is what a row can show."""
    return sum(len(value) for value in values if isinstance(value, str))


def chunks(items: Sequence[Any], size: int, weight: Callable[[Any], int] | None = None) -> list[Sequence[Any]]:
    """`items` in pages of at most `size` items and, by their `weight` (`words`), PAGE_WORDS: one item at least."""
    parts: list[Sequence[Any]] = []
    start = used = 0
    for index, item in enumerate(items):
        cost = weight(item) if weight else 0
        if index > start and (index - start == size or used + cost > PAGE_WORDS):
            parts.append(items[start:index])
            start, used = index, 0
        used += cost
    return [*parts, items[start:]]


def within(items: Sequence[Any], weight: Callable[[Any], int], budget: int = PAGE_WORDS // 4) -> tuple[list[Any], int]:
    """The first of `items` whose weights add up to `budget` at most (the first at least), and how many are left out."""
    used = 0
    for index, item in enumerate(items):
        used += weight(item)
        if index and used > budget:
            return list(items[:index]), len(items) - index
    return list(items), 0


@dataclass
class Places:
    """Where each thing is: (kind, key) -> the page path and anchor that shows it."""

    found: dict[tuple[str, str], str] = field(default_factory=dict)

    def put(self, kind: str, key: str, path: str, anchor: str | None = None) -> None:
        self.found.setdefault((kind, key), f"{path}#{anchor}" if anchor else path)

    def get(self, kind: str, key: Any) -> str | None:
        return self.found.get((kind, str(key))) if key is not None else None


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str
    context: dict[str, Any]


def relative(target: str, page: str) -> str:
    """`target` (a path from the site's root, with an anchor) as a link from `page`."""
    path, _, anchor = target.partition("#")
    link = posixpath.relpath(path, posixpath.dirname(page) or ".") if path else ""
    return link + (f"#{anchor}" if anchor else "")


# --- reading the rows -------------------------------------------------------------------------


def outlet_names(explorer: Explorer) -> dict[str, str | None]:
    """article_id -> its outlet's name (a `label`: it is shown beside each of the outlet's rows), where the
    articles table names one."""
    entities = explorer.by_key("entities", "entity_id")
    return {
        row["article_id"]: label(entities[row["outlet_id"]]["name"]) if row.get("outlet_id") in entities else None
        for row in explorer.rows("articles")
    }


def speakers_of(quote: Row) -> list[str]:
    return [quote["speaker_id"], *split_list(quote.get("co_speaker_ids"))]


def utterances(explorer: Explorer) -> dict[str, list[Row]]:
    """utterance_id -> its quotes, by article then quote id; in the order of the ids."""
    found = _grouped(
        ((row["utterance_id"], row) for row in explorer.rows("quotes")),
        lambda row: (row["article_id"], row["quote_id"]),
    )
    return dict(sorted(found.items()))


def spans_by_article(explorer: Explorer) -> dict[str, list[span_module.Span]]:
    """Each article's spans (none for an article without any)."""
    found = span_module.spans_by_article(explorer.tables)
    return {article["article_id"]: found.get(article["article_id"], []) for article in explorer.rows("articles")}


# --- the pages ----------------------------------------------------------------------------------


def _place_everything(
    explorer: Explorer,
    by_article: Mapping[str, list[span_module.Span]],
    article_pages: Mapping[str, list[tuple[int, int]]],
    spoken: Mapping[str, list[Row]],
    lists: Mapping[str, list[Sequence[Row]]],
    places: Places,
) -> None:
    """Register every anchor's page before any page is rendered; `spoken` holds the utterances (`utterances`),
    `lists` the events' and the sanctions' pages (`_event_lists`, `_sanction_lists`)."""
    for article in explorer.rows("articles"):
        article_id = article["article_id"]
        base = f"articles/{file_name(article_id)}.html"
        places.put("article", article_id, base)
        ranges = article_pages[article_id]
        for span in by_article[article_id]:
            number = span_module.page_number(ranges, span.start)
            places.put("row", f"{article_id}/{span.anchor}", page_path(base, number), span.anchor)
    for entity in explorer.rows("entities"):
        places.put("entity", entity["entity_id"], f"entities/{file_name(entity['entity_id'])}.html")
    for utterance_id in spoken:
        places.put("utterance", utterance_id, f"utterances/{file_name(utterance_id)}.html")
    for kind, key, base in (("event", "event_id", "events.html"), ("sanction", "sanction_id", "sanctions.html")):
        for number, rows in enumerate(lists[kind], 1):
            for row in rows:
                places.put(kind, row[key], page_path(base, number), file_name(row[key]))  # the card's id


def site_pages(explorer: Explorer) -> list[Page]:
    """Every page of the site, with what its template shows."""
    places = Places()
    by_article = spans_by_article(explorer)
    seeds = explorer.seeds

    def ranges(article_id: str, spans: list[span_module.Span]) -> list[tuple[int, int]]:
        text = seeds.get(article_id, "")
        return span_module.page_ranges(text, spans, cost=_page_cost(text, spans), budget=ARTICLE_PAGE_WORDS)

    article_pages = {article_id: ranges(article_id, spans) for article_id, spans in by_article.items()}
    event_context, event_parts = _event_lists(explorer)
    sanction_sources, sanction_parts = _sanction_lists(explorer)
    spoken = utterances(explorer)
    lists = {"event": event_parts, "sanction": sanction_parts}
    _place_everything(explorer, by_article, article_pages, spoken, lists, places)
    outlets = outlet_names(explorer)
    entities = explorer.by_key("entities", "entity_id")
    pages: list[Page] = []
    pages.append(_index_page(explorer, outlets, by_article))
    for article in sorted(explorer.rows("articles"), key=lambda row: row["article_id"]):
        pages += _article_pages(
            explorer,
            article,
            by_article[article["article_id"]],
            article_pages[article["article_id"]],
            places,
            entities,
            outlets,
        )
    pages += _list_pages(
        "entities.html",
        "entities_index.html",
        "Entities",
        chunks(sorted(entities.values(), key=lambda row: row["entity_id"]), LIST_PAGE_ROWS, _row_words),
    )
    pages += _entity_pages(explorer, outlets)
    pages += _list_pages(
        "utterances.html",
        "utterances_index.html",
        "Utterances",
        chunks(list(spoken.items()), LIST_PAGE_ROWS, lambda item: words(item[0], wording.fullest(item[1])["text"])),
    )
    for utterance_id, quotes in spoken.items():
        pages += _utterance_pages(utterance_id, quotes, entities, outlets)
    pages += _list_pages("events.html", "events.html", "Events", event_parts, **event_context, outlets=outlets)
    articles = sorted(explorer.rows("articles"), key=lambda row: row["article_id"])
    parts = chunks(articles, LIST_PAGE_ROWS, _article_words)
    pages += _list_pages("articles.html", "articles.html", "Articles", parts, outlets=outlets)
    pages += _timeline_pages(explorer)
    pages += _conflicts_pages(explorer, event_context["sources"], outlets)
    pages += _list_pages(
        "sanctions.html", "sanctions.html", "Sanctions", sanction_parts, sources=sanction_sources, outlets=outlets
    )
    pages.append(Page("dictionary.html", "dictionary.html", "Data dictionary", _dictionary(explorer.dictionary)))
    _bind(pages, explorer, places)
    return pages


def _list_pages(base: str, template: str, title: str, parts: Sequence[Sequence[Any]], **shared: Any) -> list[Page]:
    """The pages of a list, its items in `parts` (`chunks`), from `base` on (`events.html`, `events-p2.html`);
    `shared` goes to every page."""
    return [
        Page(
            page_path(base, number),
            template,
            title if len(parts) == 1 else f"{title} ({number} of {len(parts)})",
            {**shared, "items": part, "pager": _pager(base, number, len(parts))},
        )
        for number, part in enumerate(parts, 1)
    ]


def _pager(base: str, number: int, count: int) -> dict[str, Any]:
    return {
        "number": number,
        "count": count,
        "pages": [page_path(base, index) for index in range(1, count + 1)],
        "previous": page_path(base, number - 1) if number > 1 else None,
        "next": page_path(base, number + 1) if number < count else None,
    }


def _index_page(explorer: Explorer, outlets: Mapping[str, str | None], by_article: Mapping[str, list[Any]]) -> Page:
    descriptor = explorer.descriptor
    counts = [
        (resource["name"], len(explorer.tables.get(resource["name"], ()))) for resource in descriptor["resources"]
    ]
    licenses = [
        {
            "name": plain_text(item.get("title")) or plain_text(item.get("name")) or "licence",
            "url": web_url(item.get("path")),
        }
        for item in descriptor.get("licenses", [])
        if isinstance(item, Mapping)
    ]
    articles = sorted(explorer.rows("articles"), key=lambda row: row["article_id"])
    changed, changed_more = within(
        [row for row in articles if row["article_id"] in explorer.changed], _article_words, PAGE_WORDS // 2
    )
    # The articles are listed here too where they are few and short, else on their own pages only.
    listed = len(articles) <= LIST_PAGE_ROWS and sum(map(_article_words, articles)) <= PAGE_WORDS // 2
    downloads = [("datapackage.json", "the descriptor (Frictionless Data Package)")]
    downloads += [(resource["path"], f"the {resource['name']} table") for resource in descriptor["resources"]]
    downloads += [(path, "the same table as JSON") for path in explorer.json_tables]
    if explorer.dictionary is not None:
        downloads.append(("README.md", "the data dictionary (Markdown)"))
    return Page(
        "index.html",
        "index.html",
        plain_text(descriptor.get("title")) or explorer.name,
        {
            "counts": counts,
            "licenses": licenses,
            "articles": articles,
            "listed": listed,
            "changed": changed,
            "changed_more": changed_more,
            "outlets": outlets,
            "span_counts": {key: len(value) for key, value in by_article.items()},
            "downloads": downloads,
            "schema_org": explorer.schema_org,
            "citation": explorer.citation,
            "homepage": web_url(descriptor.get("homepage")),
            "description": plain_text(descriptor.get("description")),
        },
    )


def _article_pages(
    explorer: Explorer,
    article: Row,
    spans: list[span_module.Span],
    ranges: list[tuple[int, int]],
    places: Places,
    entities: Mapping[str, Row],
    outlets: Mapping[str, str | None],
) -> list[Page]:
    article_id = article["article_id"]
    text = explorer.seeds.get(article_id, "")
    base = f"articles/{file_name(article_id)}.html"
    schema = {resource["name"]: resource["schema"] for resource in explorer.descriptor["resources"]}
    pages = []
    # A row's anchor stays the article's address as the article grows past a page: the first page maps the
    # anchors of the others to their page, and its script follows `#q-001-500` there.
    elsewhere = {}
    if len(ranges) > 1:
        for span in spans:
            found = places.get("row", f"{article_id}/{span.anchor}")
            if found and not found.startswith(f"{base}#"):
                elsewhere[span.anchor] = relative(found.partition("#")[0], base)
    listed: dict[int, list[span_module.Span]] = defaultdict(list)
    for span in spans:
        listed[span_module.page_number(ranges, span.start)].append(span)
    for number, (start, end) in enumerate(ranges, 1):
        # The rows of the spans that start on the page; a span cut by the page's end is highlighted on both.
        on_page = listed[number]
        pieces = span_module.segments(text, start, end, _overlapping(spans, start, end))
        path = page_path(base, number)
        targets = [_span_target(piece, places, path) for piece in pieces]
        titles = [_segment_title(piece, entities) for piece in pieces]
        rows = [
            (model, [span for span in on_page if span.table == model.resource_name])
            for model in span_module.SPAN_TABLES
        ]
        pages.append(
            Page(
                path,
                "article.html",
                plain_text(article.get("title")) or article_id,
                {
                    "article": article,
                    "article_fields": _described_fields(schema.get("articles", {}), article),
                    "outlet": outlets.get(article_id),
                    "range": (start, end),
                    "length": len(text),
                    "seed": (pieces, targets, titles),
                    "rows": [(model, found) for model, found in rows if found],
                    "legend": [
                        model
                        for model in span_module.SPAN_TABLES
                        if any(span.table == model.resource_name for span in spans)
                    ],
                    "pager": _pager(base, number, len(ranges)),
                    "elsewhere": elsewhere if number == 1 else {},
                    "changed": article_id in explorer.changed,
                    "selection": {
                        "article_id": article_id,
                        "tables": {
                            model.resource_name: [
                                field["name"] for field in schema.get(model.resource_name, {}).get("fields", [])
                            ]
                            for model in span_module.SPAN_TABLES
                            if model.resource_name in schema and model.resource_name != "event_relations"
                        },
                    },
                },
            )
        )
    return pages


def _overlapping(spans: Sequence[span_module.Span], start: int, end: int) -> list[span_module.Span]:
    """The spans (sorted by their start) that overlap `[start, end)`."""
    longest = max((span.end - span.start for span in spans), default=0)
    first = bisect.bisect_left(spans, start - longest, key=lambda span: span.start)
    last = bisect.bisect_left(spans, end, key=lambda span: span.start)
    return [span for span in spans[first:last] if span.end > start]


def _page_cost(text: str, spans: Sequence[span_module.Span]) -> Callable[[int, int], int]:
    """An article page's words, about (`span_module.page_ranges` keeps it within PAGE_WORDS): each segment's text
    (in its accessible name too), the anchors it names and its markup, and the rows of the spans that start on it."""

    def cost(start: int, end: int) -> int:
        found = 0
        for piece in span_module.segments(text, start, end, _overlapping(spans, start, end)):
            found += 2 * len(piece.text) + sum(2 * len(span.anchor) + LINK_WORDS for span in piece.named)
        for span in spans[bisect.bisect_left(spans, start, key=lambda s: s.start) :]:
            if span.start >= end:
                break
            found += 3 * len(span.anchor) + sum(
                min(words(str(value)), EXCERPT_CHARS) + 20 for value in span.row.values()
            )
        return found

    return cost


def _span_target(piece: span_module.Segment, places: Places, page: str) -> str | None:
    """Where a highlighted segment links from its `page`: the thing its smallest span is evidence of, else
    that span's own row."""
    if not piece.spans:
        return None
    smallest = min(piece.spans, key=lambda span: (span.end - span.start, span.anchor))
    model = MODELS[smallest.table]
    kind = kind_of(model, model.evidence_of) if model.evidence_of else None
    found = places.get(kind, smallest.row.get(model.evidence_of or "")) if kind else None
    if found:
        return relative(found, page)
    return f"#row-{smallest.anchor}"


def _segment_title(piece: span_module.Segment, entities: Mapping[str, Row]) -> str:
    """What a highlighted segment is, for its accessible name: its text, then each row it names (`Segment.named`),
    a name or an id as a `label`: it stands in every segment of every mention."""
    described = []
    for span in piece.named:
        model = MODELS[span.table]
        if span.table == "entity_mentions":
            entity = entities.get(span.row["entity_id"])
            described.append(f"mention of {label(entity['name'] if entity else span.row['entity_id'])}")
        elif model.evidence_of:
            described.append(f"{model.row_name} {label(span.row[model.evidence_of])}")
        else:
            described.append(model.row_name)
    if len(piece.spans) > len(piece.named):
        described.append(f"{len(piece.spans) - len(piece.named)} more")
    shown = " ".join(piece.text.split()) or "(blank)"
    return f"{shown} — {excerpt('; '.join(described))}" if described else shown


def _described_fields(schema: Mapping[str, Any], row: Row) -> list[dict[str, Any]]:
    """A row's fields with their descriptions; a field `X` with `X_basis` and `X_note` (or a date with
    `date_basis`) shows its basis (stated, inferred, unknown) and why beside it."""
    fields = [item["name"] for item in schema.get("fields", [])]
    descriptions = {item["name"]: item.get("description", "") for item in schema.get("fields", [])}
    shown = []
    for name in fields:
        if name.endswith(("_basis", "_note")):
            continue
        # `outlet_id` has `outlet_basis`; `published_date`, `published_date_basis`.
        basis = next((f"{stem}_basis" for stem in (name, name.removesuffix("_id")) if f"{stem}_basis" in fields), None)
        note = basis.removesuffix("_basis") + "_note" if basis else None
        shown.append(
            {
                "name": name,
                "value": row.get(name),
                "url": web_url(row.get(name)) if name == "url" else None,
                "description": descriptions[name],
                "basis": row.get(basis) if basis else None,
                "note": row.get(note) if note else None,
            }
        )
    return shown


def _grouped(rows: Iterator[tuple[str, Row]], order: Any) -> dict[str, list[Row]]:
    """Rows by a key, each group sorted by `order`."""
    found: dict[str, list[Row]] = defaultdict(list)
    for key, row in rows:
        if key:
            found[key].append(row)
    return {key: sorted(group, key=order) for key, group in found.items()}


def _entity_pages(explorer: Explorer, outlets: Mapping[str, str | None]) -> list[Page]:
    """A page per entity: its names as printed, its quotes, its roles in events and its sanctions."""
    entities = explorer.by_key("entities", "entity_id")
    mentions = _grouped(
        ((row["entity_id"], row) for row in explorer.rows("entity_mentions")),
        lambda row: (row["article_id"], row["char_start"]),
    )
    quotes = _grouped(
        ((speaker, row) for row in explorer.rows("quotes") for speaker in dict.fromkeys(speakers_of(row))),
        lambda row: (row["utterance_id"], row["article_id"], row["quote_id"]),
    )
    roles = _grouped(
        ((row["entity_id"], row) for row in explorer.rows("event_actors")), lambda row: (row["event_id"], row["role"])
    )
    sanctions = _grouped(
        (
            (party, row)
            for row in explorer.rows("sanctions")
            for party in {row.get("imposer_id"), row.get("target_id")}
            if party
        ),
        lambda row: row["sanction_id"],
    )
    children = _grouped(((row.get("parent_id") or "", row) for row in entities.values()), lambda row: row["entity_id"])
    events = explorer.by_key("events", "event_id")
    pages = []
    for entity_id, entity in sorted(entities.items()):
        ordered = sorted(
            mentions.get(entity_id, []), key=lambda row: (row["text"], row["article_id"], row["char_start"])
        )
        printed = {mention["text"] for mention in ordered}
        first = {
            "entity": entity,
            "parent": entities.get(entity.get("parent_id") or ""),
            "aliases": [(alias, alias in printed) for alias in split_list(entity.get("aliases"))],
            "outlets": outlets,
        }
        entity_roles = [(row["role"], events.get(row["event_id"]), row["event_id"]) for row in roles.get(entity_id, [])]
        lists: dict[str, list[Sequence[Any]]] = {
            "children": chunks(children.get(entity_id, []), LIST_PAGE_ROWS, lambda row: LINK_WORDS),
            "mentions": chunks(ordered, LIST_PAGE_ROWS, lambda row: len(row["text"]) + LINK_WORDS),
            "quotes": chunks(quotes.get(entity_id, []), LIST_PAGE_ROWS, lambda row: _row_words(row) + LINK_WORDS),
            "roles": chunks(entity_roles, LIST_PAGE_ROWS, lambda role: _row_words(role[1] or {}) + LINK_WORDS),
            "sanctions": chunks(sanctions.get(entity_id, []), LIST_PAGE_ROWS, lambda row: _row_words(row) + LINK_WORDS),
        }
        base = f"entities/{file_name(entity_id)}.html"
        for page in _sectioned_pages(base, "entity.html", entity["name"], first, lists):
            forms: dict[str, list[Row]] = defaultdict(list)
            for mention in page.context.pop("mentions"):
                forms[mention["text"]].append(mention)
            page.context["forms"] = list(forms.items())
            pages.append(page)
    return pages


def _sectioned_pages(
    base: str, template: str, title: str, context: dict[str, Any], lists: Mapping[str, list[Sequence[Any]]]
) -> list[Page]:
    """A thing's page, continued on `…-p2.html` and after while one of its `lists` (each in parts, `chunks`)
    has more parts: page N shows the Nth part of each list, and the `context`, the facts, on every page."""
    count = max(1, *(len(parts) for parts in lists.values()))
    pages = []
    for number in range(1, count + 1):
        shown = {name: parts[number - 1] if number <= len(parts) else [] for name, parts in lists.items()}
        offsets = {name: sum(len(part) for part in parts[: number - 1]) for name, parts in lists.items()}
        paged = {"pager": _pager(base, number, count), "offsets": offsets}
        title_shown = title if count == 1 else f"{title} ({number} of {count})"
        pages.append(Page(page_path(base, number), template, title_shown, {**context, **shown, **paged}))
    return pages


def _utterance_pages(
    utterance_id: str, quotes: list[Row], entities: Mapping[str, Row], outlets: Mapping[str, str | None]
) -> list[Page]:
    reference = wording.fullest(quotes)
    speakers, more_speakers = within(
        sorted({speaker for quote in quotes for speaker in speakers_of(quote)}), lambda speaker: LINK_WORDS
    )
    # A wording compared shows what it leaves out of the fullest one, too.
    compared = [(quote, wording.compared(reference["text"], quote["text"])) for quote in quotes]
    parts = chunks(compared, LIST_PAGE_ROWS, lambda item: 2 * _row_words(item[0]) + LINK_WORDS)
    return _sectioned_pages(
        f"utterances/{file_name(utterance_id)}.html",
        "utterance.html",
        f"Utterance {utterance_id}",
        {
            "utterance_id": utterance_id,
            "reference": reference,
            "speakers": [(speaker, entities.get(speaker)) for speaker in speakers],
            "more_speakers": more_speakers,
            "outlets": outlets,
            "count": len(quotes),
        },
        {"wordings": parts},
    )


def _sources_of(explorer: Explorer, table: str, key: str) -> dict[str, list[Row]]:
    """A span table's rows by the row they are evidence of, in reading order."""
    return _grouped(
        ((row[key], row) for row in explorer.rows(table)), lambda row: (row["article_id"], row["char_start"])
    )


def _event_lists(explorer: Explorer) -> tuple[dict[str, Any], list[Sequence[Row]]]:
    """What the events' pages show beside each event (its actors, sources and relations), and the events in pages."""
    events = sorted(explorer.rows("events"), key=lambda row: row["event_id"])
    actors = _grouped(
        ((row["event_id"], row) for row in explorer.rows("event_actors")), lambda row: (row["entity_id"], row["role"])
    )
    sources = _sources_of(explorer, "event_sources", "event_id")
    relations: dict[str, list[tuple[str, Row]]] = defaultdict(list)
    for row in sorted(
        explorer.rows("event_relations"),
        key=lambda row: (row["event_id"], row["relation_type"], row["related_event_id"]),
    ):
        relations[row["event_id"]].append(("to", row))
        relations[row["related_event_id"]].append(("from", row))

    def shown(event: Row) -> int:
        key = event["event_id"]
        return (
            _row_words(event)
            + sum(_row_words(row) + LINK_WORDS for row in sources.get(key, []))
            + LINK_WORDS * (len(actors.get(key, [])) + 2 * len(relations.get(key, [])))
        )

    return {"actors": actors, "sources": sources, "relations": relations}, chunks(events, LIST_PAGE_ROWS, shown)


def _sanction_lists(explorer: Explorer) -> tuple[dict[str, list[Row]], list[Sequence[Row]]]:
    """The sources of each sanction, and the sanctions in pages."""
    sources = _sources_of(explorer, "sanction_sources", "sanction_id")

    def shown(sanction: Row) -> int:
        return _row_words(sanction) + sum(
            _row_words(row) + LINK_WORDS for row in sources.get(sanction["sanction_id"], [])
        )

    sanctions = sorted(explorer.rows("sanctions"), key=lambda row: row["sanction_id"])
    return sources, chunks(sanctions, LIST_PAGE_ROWS, lambda row: shown(row) + 2 * LINK_WORDS)


def _timeline_pages(explorer: Explorer) -> list[Page]:
    events = sorted(explorer.rows("events"), key=lambda row: (row.get("start_date") or "9999", row["event_id"]))
    dated = [row for row in events if timeline.date_range(row)]
    undated, more = within([row for row in events if not timeline.date_range(row)], _event_words)
    # An event's description is the words of its bar (`label`), and of its row in the table below the chart.
    parts = chunks(dated, TIMELINE_PAGE_EVENTS, lambda row: _event_words(row) + LINK_WORDS)
    pages = _list_pages("timeline.html", "timeline.html", "Timeline", parts)
    for page in pages:
        first = page.context["pager"]["number"] == 1
        page.context.update(
            timeline=timeline.layout(page.context["items"]),
            undated=undated if first else [],
            more_undated=more if first else 0,
        )
    return pages


def _event_words(event: Row) -> int:
    return words(event.get("description"), event.get("date_note")) + LINK_WORDS


def _conflicts_pages(
    explorer: Explorer, sources: Mapping[str, list[Row]], outlets: Mapping[str, str | None]
) -> list[Page]:
    """The conflicting accounts, side by side: each pair shows both events with all their sources (`sources`,
    the events' sources by event, as the events' pages have them)."""
    events = explorer.by_key("events", "event_id")
    relations = sorted(
        (row for row in explorer.rows("event_relations") if row["relation_type"] == "conflicting_account"),
        key=lambda row: (row["event_id"], row["related_event_id"]),
    )
    pairs = [(row, events.get(row["event_id"]), events.get(row["related_event_id"])) for row in relations]

    def shown(pair: tuple[Row, Row | None, Row | None]) -> int:
        sides = [side for side in pair[1:] if side is not None]
        return _row_words(pair[0]) + sum(
            _row_words(side) + sum(_row_words(row) + LINK_WORDS for row in sources.get(side["event_id"], []))
            for side in sides
        )

    pages = _list_pages(
        "conflicts.html", "conflicts.html", "Conflicting accounts", chunks(pairs, CONFLICTS_PAGE_PAIRS, shown)
    )
    for page in pages:
        page.context.update(sources=sources, outlets=outlets, meaning=RELATION_TYPES["conflicting_account"].definition)
    return pages


def _row_words(row: Row) -> int:
    return words(*row.values())


def _article_words(article: Row) -> int:
    """An article's words in a list: its id and title, its outlet's `label` and its date."""
    return words(article["article_id"], article.get("title")) + LINK_WORDS


def _dictionary(text: str | None) -> dict[str, Any]:
    """The dictionary page's context: the README as HTML, where there is one and it is not too long to show."""
    if text is not None and len(text) > DICTIONARY_CHARS:
        return {"body": None, "too_long": len(text)}
    return {"body": _markdown(text), "too_long": None}


def _markdown(text: str | None) -> Markup | None:
    """The data dictionary as HTML: CommonMark with tables, raw HTML escaped, its front matter left out,
    and its relative links pointed at the package's copy in the site (package/)."""
    if text is None:
        return None
    from markdown_it import MarkdownIt

    if text.startswith("---\n") and (end := text.find("\n---\n", 4)) >= 0:
        text = text[end + 5 :]
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(text)
    for token in _walk(tokens):
        if token.type in ("link_open", "image"):
            attribute = "href" if token.type == "link_open" else "src"
            target = str(token.attrGet(attribute) or "")
            if target and not _ELSEWHERE.match(target):
                token.attrSet(attribute, f"package/{target}")
        if token.children:
            token.children = _local_images_only(token.children)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


# A link or image target that is no path inside the package: a scheme, an anchor, a path from the root or a host.
_ELSEWHERE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/")


def _local_images_only(children: Sequence[Any]) -> list[Any]:
    """An inline's tokens, each image from elsewhere (`https://…`, `//host/…`, `data:`) replaced by its text, in a
    link to it where it is on the web (and not already in a link): the page would fetch it as it opens, and the
    site makes no request."""
    from markdown_it.token import Token

    kept: list[Any] = []
    links = 0
    for child in children:
        links += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type != "image" or not _ELSEWHERE.match(str(child.attrGet("src") or "")):
            kept.append(child)
            continue
        url = web_url(child.attrGet("src")) if links == 0 else None
        alt = list(child.children or [])
        if url:
            words = alt or [Token("text", "", 0, content=url)]  # a link needs words
            kept += [Token("link_open", "a", 1, attrs={"href": url}), *words, Token("link_close", "a", -1)]
        else:
            kept += alt
    return kept


def _walk(tokens: Sequence[Any]) -> Iterator[Any]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


# --- rendering ----------------------------------------------------------------------------------


def _bind(pages: list[Page], explorer: Explorer, places: Places) -> None:
    """Give every page what all templates use: the package, the root, and how to link."""
    for page in pages:
        page.context.update(page_path=page.path, explorer=explorer, places=places)


@pass_context
def _href(context: Context, kind: str, key: Any) -> str | None:
    """The link from the page being rendered to what shows (kind, key), or None where nothing does."""
    found = context["places"].get(kind, key)
    return relative(found, context["page_path"]) if found else None


@pass_context
def _row_href(context: Context, table: str, row: Row) -> str | None:
    """The link from the page being rendered to a span row where its article shows it."""
    anchor = span_module.row_anchor(MODELS[table], row)
    return _href(context, "row", f"{row['article_id']}/{anchor}")


def kind_of(model: type[Any], name: str) -> str | None:
    """The kind of page a row's field names (`Places`): that of the table its foreign key refers to, or
    KIND_OF_FIELD's; None where it names nothing with a page."""
    for key in model.foreign_keys:
        if key.fields == (name,) and key.resource in KIND_OF_TABLE:
            return KIND_OF_TABLE[key.resource]
    return KIND_OF_FIELD.get(name)


@pass_context
def _field_href(context: Context, model: type[Any], name: str, value: Any) -> str | None:
    """The link from the page being rendered to what a row's field names (`kind_of`), if it has a page."""
    kind = kind_of(model, name)
    return _href(context, kind, value) if kind else None


@pass_context
def _site(context: Context, path: str) -> str:
    """A link from the page being rendered to a path from the site's root."""
    return relative(path, context["page_path"])


def render_pages(pages: Sequence[Page]) -> dict[str, bytes]:
    """Each page's HTML, and the assets, by path from the site's root."""
    env = environment()
    env.globals.update(
        href=_href,
        row_href=_row_href,
        field_href=_field_href,
        fullest=wording.fullest,
        site=_site,
        seed_markup=lambda seed: seed_markup(*seed),
        file_name=file_name,
    )
    files: dict[str, bytes] = {}
    for page in pages:
        html = env.get_template(page.template).render(title=page.title, **page.context)
        files[page.path] = html.encode("utf-8")
    for asset in ASSETS:
        files[f"assets/{asset}"] = resources.files("newsfacts.explorer").joinpath("static", asset).read_bytes()
    return files


def rendered_files(explorer: Explorer) -> dict[str, bytes]:
    """Every page and asset of the site of `explorer`, by path."""
    return render_pages(site_pages(explorer))
