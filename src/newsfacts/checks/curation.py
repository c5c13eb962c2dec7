"""Curation rules that no row-level schema can express.

Each rule is a polars query over the tables' valid rows that returns only the offending rows,
so the rules cost a join or two however large the package is; problems are made only for the
rows found. A rule that reports something as absent from a table (no source, no reference, no
such id) waits until that table's rows are all valid (`TypedTable.complete`): the row in error
may be the one it looks for, and the report would only repeat that row's problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..cells import LIST_SEPARATOR
from ..models import RELATION_TYPES, Entity, EntityMention, Event, EventRelation, Quote
from ..models.plover import ANY_TYPE_REASONS, PLOVER_BY_EVENT_TYPE, PLOVER_CATEGORIES
from ..package import Layout, TypedTable
from ..problems import Problem, did_you_mean, problem
from ..tables import LINE
from . import check

if TYPE_CHECKING:
    import polars as pl

SPEAKER_TYPES = ["person", "organization", "government"]


def _aliases(entities: pl.DataFrame) -> pl.DataFrame:
    """One row per alias of each entity: its line, entity_id and alias."""
    import polars as pl

    return (
        entities.filter(pl.col("aliases").is_not_null())
        .select(LINE, "entity_id", pl.col("aliases").str.split(LIST_SEPARATOR).alias("alias"))
        .explode("alias")
    )


def _found(frame: pl.DataFrame, *columns: str) -> Iterator[dict[str, Any]]:
    """The offending rows, in file order, with their line and the columns a message needs."""
    yield from frame.sort(LINE).select(LINE, *columns).iter_rows(named=True)


@check("sources-present", "tables", {"source-missing"})
def check_sources_present(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every row of a table whose model names its `sources` has at least one verbatim source there."""
    problems = []
    for name, table in tables.items():
        sources = table.model.sources
        if sources is None or sources.table not in tables or not tables[sources.table].complete:
            continue  # a missing or unreadable sources table, or one with rows in error, is reported on its own
        key = sources.key
        unsourced = table.frame.join(tables[sources.table].frame.select(key).unique(), on=key, how="anti")
        problems += [
            problem("source-missing", table.path, row[LINE], key, table=name, key=row[key], sources=sources.table)
            for row in _found(unsourced, key)
        ]
    return problems


def _entity_types(tables: dict[str, TypedTable]) -> pl.DataFrame:
    import polars as pl

    entities = tables.get(Entity.resource_name)
    if entities is None:
        return pl.DataFrame(schema={"entity": pl.String, "entity_type": pl.String})
    return entities.frame.select(pl.col("entity_id").alias("entity"), "entity_type")


def _speakers(quotes: pl.DataFrame) -> pl.DataFrame:
    """One row per speaker of each quote: (line, field, entity), co-speakers split out of their cell."""
    import polars as pl

    main = quotes.select(LINE, pl.lit("speaker_id").alias("field"), pl.col("speaker_id").alias("entity"))
    co = (
        quotes.filter(pl.col("co_speaker_ids").is_not_null())
        .select(
            LINE,
            pl.lit("co_speaker_ids").alias("field"),
            pl.col("co_speaker_ids").str.split(LIST_SEPARATOR).alias("entity"),
        )
        .explode("entity")
    )
    return pl.concat([main, co])


@check("speakers", "tables", {"unknown-entity", "speaker-type", "utterance-speaker-conflict"})
def check_speakers(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every speaker of a quote is a known entity of a speaking type, and an utterance has one speaker."""
    import polars as pl

    quotes = tables.get(Quote.resource_name)
    if quotes is None:
        return []
    path = quotes.path
    speakers = _speakers(quotes.frame).join(_entity_types(tables), on="entity", how="left")
    # An unknown speaker_id is the declared foreign key's to report; co-speakers have no declared key.
    unknown = speakers.filter(pl.col("entity_type").is_null() & (pl.col("field") == "co_speaker_ids"))
    wrong_type = speakers.filter(pl.col("entity_type").is_not_null() & ~pl.col("entity_type").is_in(SPEAKER_TYPES))
    known = _entity_types(tables).get_column("entity").to_list() if not unknown.is_empty() else []
    problems = [
        problem("unknown-entity", path, row[LINE], row["field"], detail=repr(row["entity"]), near=near)
        for row in _found(unknown, "field", "entity")
        for near in [did_you_mean(row["entity"], known)]
    ]
    problems += [
        problem("speaker-type", path, row[LINE], row["field"], entity=row["entity"], entity_type=row["entity_type"])
        for row in _found(wrong_type, "field", "entity", "entity_type")
    ]
    # The first quote of an utterance names its speaker; a later quote naming another conflicts.
    conflicts = quotes.frame.sort(LINE).with_columns(
        pl.col("speaker_id").first().over("utterance_id").alias("other"),
        pl.col("quote_id").first().over("utterance_id").alias("other_quote"),
    )
    conflicts = conflicts.filter(pl.col("speaker_id") != pl.col("other"))
    problems += [
        problem(
            "utterance-speaker-conflict",
            path,
            row[LINE],
            "speaker_id",
            utterance=row["utterance_id"],
            speaker=row["speaker_id"],
            other=row["other"],
            other_quote=row["other_quote"],
        )
        for row in _found(conflicts, "utterance_id", "speaker_id", "other", "other_quote")
    ]
    return problems


# (field, message, condition) of each way an event's dates and their precision disagree.
def _date_precision_rules() -> list[tuple[str, str, pl.Expr]]:
    import polars as pl

    start, end, precision = pl.col("start_date"), pl.col("end_date"), pl.col("date_precision")
    return [
        (
            "date_precision",
            "set date_precision exactly when start_date is set",
            start.is_null() != precision.is_null(),
        ),
        ("start_date", "end_date is set but start_date is empty", end.is_not_null() & start.is_null()),
        (
            "end_date",
            "a day-precision event starts and ends on one day",
            (precision == "day") & (start != end),
        ),
        (
            "start_date",
            "a month-precision event runs from the month's first to last day",
            (precision == "month")
            & start.is_not_null()
            & ((start.dt.day() != 1) | end.is_null() | (end != start.dt.month_end())),
        ),
    ]


@check("event-dates", "tables", {"date-order", "date-precision"})
def check_event_dates(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """An event's dates are in order and agree with their precision."""
    import polars as pl

    events = tables.get(Event.resource_name)
    if events is None:
        return []
    path, frame = events.path, events.frame
    backwards = frame.filter(pl.col("end_date") < pl.col("start_date"))
    problems = [
        problem("date-order", path, row[LINE], "end_date", start=row["start_date"], end=row["end_date"])
        for row in _found(backwards, "start_date", "end_date")
    ]
    for field, detail, condition in _date_precision_rules():
        problems += [
            problem("date-precision", path, row[LINE], field, detail=detail)
            for row in _found(frame.filter(condition.fill_null(False)))
        ]
    return problems


@check("entities-used", "tables", {"entity-unreferenced", "alias-unattested"})
def check_entities_used(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every entity is referenced from another table, and each alias is attested in a mention."""
    import polars as pl

    entities = tables.get(Entity.resource_name)
    if entities is None:
        return []
    referring = [
        (table, fk)
        for table in tables.values()
        if table.model is not Entity
        for fk in table.model.foreign_keys
        if fk.resource == Entity.resource_name
    ]
    references = [table.frame.select(pl.col(fk.fields[0]).alias("entity_id")) for table, fk in referring]
    quotes = tables.get(Quote.resource_name)
    if quotes is not None:
        co_speakers = _speakers(quotes.frame).filter(pl.col("field") == "co_speaker_ids")
        references.append(co_speakers.select(pl.col("entity").alias("entity_id")))
    referenced = pl.concat(references).unique() if references else pl.DataFrame(schema={"entity_id": pl.String})
    unreferenced = entities.frame.join(referenced, on="entity_id", how="anti")
    if not all(table.complete for table, _ in referring) or (quotes is not None and not quotes.complete):
        unreferenced = unreferenced.clear()
    problems = [
        problem("entity-unreferenced", entities.path, row[LINE], "entity_id", entity=row["entity_id"])
        for row in _found(unreferenced, "entity_id")
    ]
    aliases = _aliases(entities.frame)
    mentions = tables.get(EntityMention.resource_name)
    if mentions is not None and not mentions.complete:
        aliases = aliases.clear()
    elif mentions is not None:
        attested = mentions.frame.select("entity_id", pl.col("text").alias("alias")).unique()
        aliases = aliases.join(attested, on=["entity_id", "alias"], how="anti")
    problems += [
        problem("alias-unattested", entities.path, row[LINE], "aliases", alias=row["alias"], entity=row["entity_id"])
        for row in _found(aliases, "alias", "entity_id")
    ]
    return problems


@check("note-references", "tables", {"reference-unknown", "reference-in-note"})
def check_note_references(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every id that a free-text field names (`see sn-…`) is an id of its table (`Row.note_fields`,
    `Row.reference_pattern`), and no note of a table whose relations are data (`Row.relations_table`)
    names another of its rows: that cross-reference belongs in the relations table. Ids are found as
    whole words, so `sn-us-art001` is one id, not two."""
    import polars as pl

    referable = [table for table in tables.values() if table.model.reference_pattern]
    problems = []
    for table in tables.values():
        for field in table.model.note_fields:
            for target in referable:
                key = target.model.primary_key[0]
                pattern = rf"\b{target.model.reference_pattern}\b"
                named = (
                    table.frame.select(LINE, pl.col(field).str.extract_all(pattern).alias(key))
                    .explode(key)
                    .drop_nulls(key)
                )
                relations = target.model.relations_table
                if relations is not None and table.model is target.model:
                    problems += [
                        problem("reference-in-note", table.path, row[LINE], field, reference=row[key], table=relations)
                        for row in _found(named, key)
                    ]
                    continue
                if not target.complete:
                    continue
                unknown = named.join(target.frame.select(key), on=key, how="anti")
                ids = target.frame.get_column(key).to_list() if not unknown.is_empty() else []
                problems += [
                    problem(
                        "reference-unknown",
                        table.path,
                        row[LINE],
                        field,
                        column=field,
                        reference=row[key],
                        table=target.name,
                        near=did_you_mean(row[key], ids),
                    )
                    for row in _found(unknown, key)
                ]
    return problems


@check("event-relations", "tables", {"relation-self", "relation-order", "relation-event-type"})
def check_event_relations(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """A relation links two different events; a symmetric one is written once, smaller event_id first;
    and its first event has a type the relation allows (`RELATION_TYPES`)."""
    import polars as pl

    relations = tables.get(EventRelation.resource_name)
    if relations is None:
        return []
    path, frame = relations.path, relations.frame
    problems = [
        problem("relation-self", path, row[LINE], "related_event_id", event=row["event_id"])
        for row in _found(frame.filter(pl.col("event_id") == pl.col("related_event_id")), "event_id")
    ]
    symmetric = [name for name, kind in RELATION_TYPES.items() if kind.symmetric]
    reversed_pairs = frame.filter(
        pl.col("relation_type").is_in(symmetric) & (pl.col("event_id") > pl.col("related_event_id"))
    )
    problems += [
        problem("relation-order", path, row[LINE], "event_id", relation=row["relation_type"])
        for row in _found(reversed_pairs, "relation_type")
    ]
    events = tables.get(Event.resource_name)
    if events is None:
        return problems
    allowed = pl.DataFrame(
        [(name, event_type) for name, kind in RELATION_TYPES.items() for event_type in kind.from_event_types],
        schema={"relation_type": pl.String, "event_type": pl.String},
        orient="row",
    )
    constrained = frame.filter(pl.col("relation_type").is_in(allowed["relation_type"].unique().to_list()))
    typed = constrained.join(events.frame.select("event_id", "event_type"), on="event_id", how="inner")
    wrong = typed.join(allowed, on=["relation_type", "event_type"], how="anti")
    problems += [
        problem(
            "relation-event-type",
            path,
            row[LINE],
            "event_id",
            relation=row["relation_type"],
            event=row["event_id"],
            event_type=row["event_type"],
            allowed=", ".join(RELATION_TYPES[row["relation_type"]].from_event_types),
        )
        for row in _found(wrong, "relation_type", "event_id", "event_type")
    ]
    return problems


@check("mention-types", "tables", {"mention-type-mismatch"})
def check_mention_types(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """A mention's type agrees with its entity: `name` is the name, `alias` one of the aliases, and a
    `metonym` neither (a word that also names a place is never an alias)."""
    import polars as pl

    mentions, entities = tables.get(EntityMention.resource_name), tables.get(Entity.resource_name)
    if mentions is None or entities is None:
        return []
    aliases = (
        _aliases(entities.frame).select("entity_id", pl.col("alias").alias("text"), is_alias=pl.lit(True)).unique()
    )
    typed = (
        mentions.frame.join(entities.frame.select("entity_id", "name"), on="entity_id", how="inner")
        .join(aliases, on=["entity_id", "text"], how="left")
        .with_columns(
            pl.when(pl.col("text") == pl.col("name"))
            .then(pl.lit("name"))
            .when(pl.col("is_alias"))
            .then(pl.lit("alias"))
            .otherwise(pl.lit("metonym"))
            .alias("expected")
        )
    )
    wrong = typed.filter(pl.col("expected") != pl.col("mention_type"))
    return [
        problem(
            "mention-type-mismatch",
            mentions.path,
            row[LINE],
            "mention_type",
            text=row["text"],
            actual=row["mention_type"],
            fact=f"it is {'the name' if row['expected'] == 'name' else 'an alias'} of {row['entity_id']}"
            if row["expected"] != "metonym"
            else f"it is neither the name nor an alias of {row['entity_id']}",
        )
        for row in _found(wrong, "text", "entity_id", "mention_type", "expected")
    ]


@check("event-coding", "tables", {"plover-mode", "plover-reason", "plover-unmapped"})
def check_event_coding(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """An event has a PLOVER category or the reason it has none, never both; a mode belongs to its
    category (`PLOVER_CATEGORIES`); and the code is one its event type maps to (`PLOVER_BY_EVENT_TYPE`)."""
    import polars as pl

    events = tables.get(Event.resource_name)
    if events is None:
        return []
    path, frame = events.path, events.frame
    coded, reasoned = pl.col("plover_category").is_not_null(), pl.col("plover_uncoded_reason").is_not_null()
    problems = [
        problem("plover-reason", path, row[LINE], "plover_uncoded_reason", detail=detail)
        for condition, detail in (
            (coded & reasoned, "an event with a PLOVER category takes no reason for lacking one"),
            (~coded & ~reasoned, "an event without a PLOVER category needs the reason"),
        )
        for row in _found(frame.filter(condition))
    ]
    modes = pl.DataFrame(
        [(name, mode) for name, category in PLOVER_CATEGORIES.items() for mode in category.modes],
        schema={"plover_category": pl.String, "plover_mode": pl.String},
        orient="row",
    )
    wrong_mode = frame.filter(pl.col("plover_mode").is_not_null()).join(
        modes, on=["plover_category", "plover_mode"], how="anti"
    )
    problems += [
        problem(
            "plover-mode",
            path,
            row[LINE],
            "plover_mode",
            mode=row["plover_mode"],
            owner=f"a mode of {category}" if category else "a mode without a category",
            modes=", ".join(PLOVER_CATEGORIES[category].modes or ("none",)) if category else "none",
        )
        for row in _found(wrong_mode, "plover_mode", "plover_category")
        for category in [row["plover_category"]]
    ]
    mapped = pl.DataFrame(
        [
            (event_type, code)
            for event_type, mapping in PLOVER_BY_EVENT_TYPE.items()
            for code in (*mapping.codes, *ANY_TYPE_REASONS)
        ],
        schema={"event_type": pl.String, "code": pl.String},
        orient="row",
    )
    unmapped = (
        frame.with_columns(pl.coalesce("plover_category", "plover_uncoded_reason").alias("code"))
        .filter(pl.col("code").is_not_null())
        .join(mapped, on=["event_type", "code"], how="anti")
    )
    problems += [
        problem(
            "plover-unmapped",
            path,
            row[LINE],
            "plover_category" if row["plover_category"] else "plover_uncoded_reason",
            coded_as=row["code"],
            event_type=row["event_type"],
            codes=", ".join(PLOVER_BY_EVENT_TYPE[row["event_type"]].codes + ANY_TYPE_REASONS),
        )
        for row in _found(unmapped, "code", "event_type", "plover_category")
    ]
    return problems
