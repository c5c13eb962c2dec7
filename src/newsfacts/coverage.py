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
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .cells import split_list
from .checks.provenance import article_seeds, uncovered_quotations
from .locate import whole_word
from .models import Article, Entity, EntityMention, Event, EventActor
from .package import Layout, TypedTable
from .problems import Problem, codes, problem
from .tables import LINE

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
    path: str  # the file `line` counts in: the seed for a span, the table for a row
    line: int
    article_id: str | None = None
    text: str | None = None
    char_start: int | None = None
    char_end: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Coverage:
    gaps: list[Gap]
    refusals: list[Problem]  # why what was asked could not be examined (exit status 2)
    problems: list[Problem]  # what `validate` also reports; the rows in error were left out
    notes: list[str]  # what was not examined, and why


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


# A compiled name: the form, the entities it names, and its pattern (the literal alone, so that `re`
# searches for it fast; the word boundaries are checked by hand, as `add` checks them).
_Name = tuple[str, list[str], re.Pattern[str]]


def _compiled(forms: dict[str, list[str]]) -> list[_Name]:
    owners: dict[str, list[str]] = {}
    for entity_id, entity_forms in forms.items():
        for form in entity_forms:
            if entity_id not in owners.setdefault(form, []):
                owners[form].append(entity_id)
    return [(form, entities, re.compile(re.escape(form))) for form, entities in owners.items()]


def _occurrences(text: str, names: list[_Name]) -> list[_Occurrence]:
    """Every whole-word occurrence of every name, less those inside a strictly longer occurrence of
    any name. (A synthetic package of 2,020 entities and 200 articles: 99 s with a lookbehind per
    name and an all-pairs filter, 4.8 s with the literal searched first and one sorted sweep.)"""
    found = []
    for form, entities, pattern in names:
        for match in pattern.finditer(text):
            start, end = match.span()
            if whole_word(text, start, end):
                found += [_Occurrence(entity_id, form, start, end) for entity_id in entities]
    # By start, longest first: an occurrence is inside another when one that starts earlier reaches
    # its end, or one that starts with it ends later.
    found.sort(key=lambda occurrence: (occurrence.start, -occurrence.end))
    kept: list[_Occurrence] = []
    reach_before, group_start, group_reach = -1, -1, -1
    for occurrence in found:
        if occurrence.start != group_start:
            reach_before = max(reach_before, group_reach)
            group_start, group_reach = occurrence.start, -1
        if not (reach_before >= occurrence.end or group_reach > occurrence.end):
            kept.append(occurrence)
        group_reach = max(group_reach, occurrence.end)
    return kept


def _unmentioned(seeds: dict[str, tuple[str, str]], tables: dict[str, TypedTable]) -> Iterator[Gap]:
    entities, mentions = tables.get(Entity.resource_name), tables.get(EntityMention.resource_name)
    if entities is None or mentions is None:
        return
    names = _compiled(_forms(entities))
    mentioned = set(mentions.frame.select("entity_id", "article_id", "text").iter_rows())
    named = {(entity_id, article_id) for entity_id, article_id, _ in mentioned}
    for article_id, (path, text) in seeds.items():
        reported: set[tuple[str, str]] = set()
        for occurrence in _occurrences(text, names):
            entity_id, form = occurrence.entity_id, occurrence.form
            if (entity_id, article_id, form) in mentioned or (entity_id, form) in reported:
                continue
            entity_named = (entity_id, article_id) in named or any(e == entity_id for e, _ in reported)
            reported.add((entity_id, form))
            yield Gap(
                "unmentioned-form" if entity_named else "unmentioned-entity",
                entity_id,
                path,
                text.count("\n", 0, occurrence.start) + 1,
                article_id,
                form,
                occurrence.start,
                occurrence.end,
            )


def _events_without_actor(tables: dict[str, TypedTable]) -> Iterator[Gap]:
    events, actors = tables.get(Event.resource_name), tables.get(EventActor.resource_name)
    if events is None or actors is None:
        return
    acting = set(actors.frame["event_id"].to_list())
    for event_id, line in events.frame.select("event_id", LINE).iter_rows():
        if event_id not in acting:
            yield Gap("event-without-actor", event_id, str(events.path), line)


def listed_articles(layout: Layout) -> list[str]:
    """The ids of the package's articles, as its articles table lists them (rows in error included)."""
    from .package import read_tables

    tables, _ = read_tables(layout)
    articles = tables.get(Article.resource_name)
    return [] if articles is None else [value for value in articles.data.get_column("article_id") if value]


def coverage(layout: Layout, article_ids: Sequence[str] = ()) -> Coverage:
    """The gaps of the package at `layout`, or of some of its articles. The package is read as
    `validate` reads it; its rows in error are left out."""
    from .validate import check_rows_and_spans  # the rows as validate reads them

    tables, problems = check_rows_and_spans(layout)
    refusals = [p for p in problems if p.code in codes("structure") or p.code == "structure-first"]
    if refusals:
        return Coverage([], refusals, problems, [])
    articles = tables.get(Article.resource_name)
    seed_files = dict(articles.frame.select("article_id", "seed_file").iter_rows()) if articles else {}
    names = ", ".join(sorted(seed_files)) or "none"
    unknown = [
        problem("article-unknown", layout.csv(Article.resource_name), article=article, names=names)
        for article in article_ids
        if article not in seed_files
    ]
    if unknown:
        return Coverage([], unknown, problems, [])
    examined = sorted(set(article_ids)) if article_ids else sorted(seed_files)
    texts = article_seeds(layout, tables)
    refusals = [
        problem("seed-unreadable", layout.seed(seed_files[article]), article=article)
        for article in examined
        if article not in texts
    ]
    seeds = {
        article: (str(layout.seed(seed_files[article])), texts[article]) for article in examined if article in texts
    }
    notes = []
    quotations = uncovered_quotations(layout, tables, {article: text for article, (_, text) in seeds.items()})
    if not all(table.complete for table in tables.values() if table.model.accounts_for_quotations):
        notes.append("quotations: not listed while rows of quotes or non_quotes are in error (newsfacts validate)")
    gaps = [
        Gap("quotation", article, str(seed_path), line, article, quotation.text, quotation.start, quotation.end)
        for article, seed_path, quotation, line in quotations
    ]
    gaps += _unmentioned(seeds, tables)
    if not article_ids:
        gaps += _events_without_actor(tables)
    else:
        notes.append("events without an actor: listed only for the whole package (events belong to no one article)")
    return Coverage(gaps, refusals, problems, notes)
