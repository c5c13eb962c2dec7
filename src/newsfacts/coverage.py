"""What a package may still lack: the gaps `newsfacts coverage` lists while a contributor annotates.

`validate` says whether what is there is right. Coverage lists what may be missing:

- quotations that no `quotes` or `non_quotes` row accounts for (the rule `validate` holds the
  finished package to, as `quote-uncovered`);
- names and aliases of an entity printed in an article where the entity has no mention, or no
  mention of that form. A form is found as a whole word ("Iran" is not in "Iranian"), and not
  inside a longer name of any entity ("Iran" in "Iran Air", "Labour" in "Iranian Labour News
  Agency"), which is that entity's occurrence;
- events with no actor.

The names are candidates for a person to look at, not errors: the codebook records only the
first occurrence of each form per article, and a capital can be a place or a metonym.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from .checks.provenance import article_seeds, uncovered_quotations
from .engine import LINE
from .models import Entity, EntityMention, Event, EventActor, split_list
from .package import Layout, TypedTable
from .problems import Problem

# Each kind of gap, with what it means; the CLI prints these, and its JSON names them.
GAP_KINDS: dict[str, str] = {
    "quotation": "a span between quotation marks that no quotes or non_quotes row covers",
    "unmentioned-entity": "an entity named in the article, with no entity_mentions row there",
    "unmentioned-form": "a name or alias printed in the article, with no entity_mentions row of that form",
    "event-without-actor": "an event with no event_actors row",
}


@dataclass(frozen=True)
class Gap:
    kind: str  # a key of GAP_KINDS
    subject: str  # the article, entity or event the gap is about
    article_id: str | None = None
    text: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    line: int | None = None  # the seed's line for a span; the CSV line for a row

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class _Occurrence:
    entity_id: str
    form: str
    start: int
    end: int


def _forms(entities: TypedTable) -> dict[str, list[str]]:
    """Each entity's name and aliases, as printed."""
    return {
        entity_id: [name, *split_list(aliases)]
        for entity_id, name, aliases in entities.frame.select("entity_id", "name", "aliases").iter_rows()
    }


def _occurrences(text: str, forms: dict[str, list[str]]) -> list[_Occurrence]:
    """Every whole-word occurrence of every form, less those inside a longer occurrence of any form."""
    found = [
        _Occurrence(entity_id, form, match.start(), match.end())
        for entity_id, entity_forms in forms.items()
        for form in entity_forms
        for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text)
    ]
    return [
        occurrence
        for occurrence in found
        if not any(
            other.start <= occurrence.start
            and occurrence.end <= other.end
            and other.end - other.start > occurrence.end - occurrence.start
            for other in found
        )
    ]


def _unmentioned(seeds: dict[str, str], tables: dict[str, TypedTable]) -> Iterator[Gap]:
    entities, mentions = tables.get(Entity.resource_name), tables.get(EntityMention.resource_name)
    if entities is None or mentions is None:
        return
    forms = _forms(entities)
    mentioned = set(mentions.frame.select("entity_id", "article_id", "text").iter_rows())
    named = {(entity_id, article_id) for entity_id, article_id, _ in mentioned}
    for article_id, text in seeds.items():
        reported: set[tuple[str, str]] = set()
        for occurrence in sorted(_occurrences(text, forms), key=lambda o: o.start):
            entity_id, form = occurrence.entity_id, occurrence.form
            if (entity_id, article_id, form) in mentioned or (entity_id, form) in reported:
                continue
            entity_named = (entity_id, article_id) in named or any(e == entity_id for e, _ in reported)
            reported.add((entity_id, form))
            yield Gap(
                "unmentioned-form" if entity_named else "unmentioned-entity",
                entity_id,
                article_id,
                form,
                occurrence.start,
                occurrence.end,
                text.count("\n", 0, occurrence.start) + 1,
            )


def _events_without_actor(tables: dict[str, TypedTable]) -> Iterator[Gap]:
    events, actors = tables.get(Event.resource_name), tables.get(EventActor.resource_name)
    if events is None or actors is None:
        return
    acting = set(actors.frame["event_id"].to_list())
    for event_id, line in events.frame.select("event_id", LINE).iter_rows():
        if event_id not in acting:
            yield Gap("event-without-actor", event_id, line=line)


def coverage(layout: Layout, article_id: str | None = None) -> tuple[list[Gap], list[Problem]]:
    """The gaps of the package at `layout` (of one article, if given), and the problems that kept
    parts of it from being read (its rows in error are left out, as `validate` leaves them)."""
    from .validate import check_rows_and_spans  # the rows as validate reads them

    tables, problems = check_rows_and_spans(layout)
    seeds = {
        article: text
        for article, text in article_seeds(layout, tables).items()
        if article_id is None or article == article_id
    }
    gaps = [
        Gap("quotation", article, article, quotation.text, quotation.start, quotation.end, line)
        for article, _, quotation, line in uncovered_quotations(layout, tables, complete_only=False)
        if article in seeds
    ]
    gaps += _unmentioned(seeds, tables)
    if article_id is None:
        gaps += _events_without_actor(tables)
    return gaps, problems
