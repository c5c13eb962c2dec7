"""`newsfacts export --to ftm`: the package as FollowTheMoney entities, one JSON object a line.

The mapping is docs/ftm.md's. Entities become Person, Organization, PublicBody, Asset or LegalEntity
by their `entity_type` (`SCHEMA_OF_ENTITY_TYPE`), and a `parent_id` a Membership; articles become
Article documents holding their seed's text; entity mentions Documentation links from an article to
an entity; events Event, with their actors; event relations UnknownLink; sanctions Sanction. Every
entity carries its source articles (`proof`, or the mention's `document`).

Every entity is made and checked with the followthemoney library: a property its schema lacks, a
value its type refuses, a required property left empty, and a reference to an entity that is not
in the file, or not of the schema the property takes, each stop the export (`ftm-refused`,
`foreign-key-violated`); nothing is dropped silently. An entity's id is made from its newsfacts
primary key under a fixed prefix (`ftm_id`), so every export gives an entity the same id, and the
file is sorted by id.

followthemoney is an optional dependency (`pip install 'newsfacts[ftm]'`), imported when the format
runs; without it the export stops with `ftm-missing`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write_all
from ..cells import split_list
from ..problems import NewsfactsError
from ._base import Exporter, refuse_overwrite, text

if TYPE_CHECKING:
    from followthemoney.entity import ValueEntity
    from followthemoney.model import Model

    from ..loader import Row, Source

ID_PREFIX = "newsfacts"
# entities.entity_type -> the FtM schema of such an entity (docs/ftm.md says why each).
SCHEMA_OF_ENTITY_TYPE: dict[str, str] = {
    "person": "Person",
    "organization": "Organization",
    "government": "PublicBody",
    # A country here is a state that acts (accuses, sanctions, is sanctioned). FtM's Territory is
    # reference data about a place and no LegalEntity, so it could not be an event's party.
    "country": "PublicBody",
    "media_outlet": "Organization",
    # FtM has no schema for a kind of weapon; Asset is its concrete Thing for property that changes hands.
    "weapon_system": "Asset",
    "other": "LegalEntity",
}
# FtM topics that say what an entity type means where its schema alone does not.
TOPICS_OF_ENTITY_TYPE: dict[str, tuple[str, ...]] = {"country": ("gov.national",)}
# event_actors.role values that FtM's Event names `organizer`; every other role is `involved`.
ORGANIZER_ROLES = frozenset({"host"})
# What a parent_id link means (entities.parent_id), as the role of an UnknownLink where Membership does not fit.
PARENT_ROLE = "belongs to or acts for"
# How many characters of an ISO 8601 date each events.date_precision keeps: FtM dates may be prefixes.
DATE_PREFIX_LENGTH = {"day": 10, "week": 10, "month": 7, "year": 4}
# kind (the middle of an id) -> the table its entities come from, for messages.
TABLE_OF_KIND = {
    "entity": "entities",
    "parent": "entities",
    "article": "articles",
    "mention": "entity_mentions",
    "event": "events",
    "event-actor": "event_actors",
    "event-relation": "event_relations",
    "sanction": "sanctions",
}


def export_ftm(output: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write the package as one file of FollowTheMoney entities (JSON lines); return the files changed."""
    model = followthemoney_model(output)  # before reading anything: without the library there is no export
    from ..loader import open_package, plain_rows, read_resources, read_seed  # imported here: pandas is slow

    refuse_overwrite([output], force)
    with open_package(source) as package:
        tables = {resource.name: plain_rows(resource) for resource in read_resources(package)}
        where = {resource["name"]: package.locate(resource["path"]) for resource in package.descriptor["resources"]}
        seeds = {article["article_id"]: read_seed(package, article) for article in table(tables, "articles")}
        dataset = dataset_name(package.descriptor, package.location)
    entities = ftm_entities(model, tables, seeds, dataset, where)
    return atomic_write_all({output: json_lines(entities)}, output.parent)


EXPORTER = Exporter(
    description="one JSON Lines file of FollowTheMoney entities (people, organisations, public bodies, "
    "articles, mentions, events and sanctions; needs `pip install 'newsfacts[ftm]'`)",
    output="the JSON Lines file",
    export=export_ftm,
)


def followthemoney_model(output: Path) -> Model:
    """FtM's model of schemata, or NewsfactsError("ftm-missing") where followthemoney cannot be imported."""
    try:
        from followthemoney import model
    except ModuleNotFoundError as error:  # followthemoney, or a library it needs
        raise NewsfactsError.of("ftm-missing", output, module=error.name or "followthemoney") from error
    return model


def table(tables: Mapping[str, list[Row]], name: str) -> list[Row]:
    if name not in tables:
        raise NewsfactsError("table-unknown", f"no table {name!r}; the package has {', '.join(tables)}")
    return tables[name]


def dataset_name(descriptor: Mapping[str, Any], location: str) -> str:
    """The package's `name` as an FtM dataset name, which takes `_` where a Data Package name has `-`."""
    from followthemoney.dataset.util import dataset_name_check
    from normality import slugify_text

    name = descriptor.get("name")
    try:  # only a name that is text: null or 5 would become a dataset "none" or "5"
        return dataset_name_check(slugify_text(text(name) or "", sep="_") or "")
    except ValueError as error:
        raise NewsfactsError.of("ftm-refused", location, detail=f"the package name {name!r}: {error}") from error


def ftm_id(kind: str, *key: object) -> str:
    """The FtM id of the row with this primary key: `newsfacts-<kind>-<key>` for a one-column key (a slug),
    else `newsfacts-<kind>-<sha1>`, FtM's hash (`make_entity_id`) of the record id (`record_id`)."""
    from followthemoney.util import make_entity_id

    if len(key) == 1:
        return f"{ID_PREFIX}-{kind}-{key[0]}"
    return f"{ID_PREFIX}-{kind}-{make_entity_id(record_id(*key))}"


def record_id(*key: object) -> str:
    """A composite primary key as one text, its values joined by `/`, which none of them holds."""
    return "/".join(str(part) for part in key)


class Graph:
    """The entities of one export by id: each made once, filled through FtM's own checks, then checked whole."""

    def __init__(self, model: Model, dataset: str, where: Mapping[str, str]) -> None:
        self.model = model
        self.dataset = dataset
        self.where = where
        self.entities: dict[str, ValueEntity] = {}
        self.kinds: dict[str, str] = {}

    def make(self, schema_name: str, kind: str, *key: object) -> ValueEntity:
        """A new entity of the schema, with the id of its newsfacts key."""
        from followthemoney.entity import ValueEntity
        from followthemoney.types import registry

        entity_id = ftm_id(kind, *key)
        schema = self.model.get(schema_name)
        if schema is None or schema.abstract:
            raise self.refused(kind, f"to make {entity_id}: it has no concrete schema {schema_name!r}")
        if not registry.entity.validate(entity_id) or len(entity_id) > registry.entity.max_length:
            limit = registry.entity.max_length
            raise self.refused(kind, f"the id {entity_id!r} (letters, digits, `.` and `-`; at most {limit})")
        if entity_id in self.entities:
            raise self.refused(kind, f"to make {entity_id} twice: the key of {TABLE_OF_KIND[kind]} repeats")
        entity = ValueEntity(schema, {"id": entity_id, "datasets": [self.dataset]})
        self.entities[entity_id] = entity
        self.kinds[entity_id] = kind
        if len(key) > 1:  # the hashed id hides the key (a mention's offsets among it): the record id keeps it
            self.put(entity, "recordId", record_id(*key))
        return entity

    def put(self, entity: ValueEntity, prop: str, *values: str | None) -> None:
        """Add the values (None is a missing cell) as FtM cleans them; NewsfactsError where FtM refuses one."""
        from followthemoney.exc import InvalidData

        for value in values:
            if value is None:
                continue
            try:
                entity.add(prop, value)  # refuses a property the schema lacks, a reverse one, a self-reference
            except InvalidData as error:
                raise self.refused(
                    self.kinds[str(entity.id)], f"{value!r} as the {prop} of {entity.id}: {error}"
                ) from error
            kept = entity.schema.properties[prop]
            cleaned = kept.type.clean(value, proxy=entity, format=kept.format)
            if cleaned is None or cleaned not in entity.get(prop):  # FtM's add drops what it cannot take
                detail = f"{value!r} as the {prop} ({kept.type.name}) of {entity.id} ({entity.schema.name})"
                raise self.refused(self.kinds[str(entity.id)], detail)

    def existing(self, entity_id: str, referrer: str) -> ValueEntity:
        """The entity of a newsfacts entity_id, or NewsfactsError("foreign-key-violated") naming who refers to it."""
        entity = self.entities.get(ftm_id("entity", entity_id))
        if entity is None:
            raise NewsfactsError(
                "foreign-key-violated", f"{referrer} refers to the entity {entity_id!r}, not in entities"
            )
        return entity

    def refused(self, kind: str, detail: str) -> NewsfactsError:
        """ftm-refused, at the table the entity comes from."""
        table_name = TABLE_OF_KIND[kind]
        return NewsfactsError.of("ftm-refused", self.where.get(table_name, table_name), detail=detail)

    def checked(self) -> list[ValueEntity]:
        """Every entity, by id, once each has its schema's required properties, passes the schema's
        validation, and refers only to entities of the file within each property's range."""
        from followthemoney.exc import InvalidData
        from followthemoney.types import registry

        for entity_id, entity in sorted(self.entities.items()):
            kind = self.kinds[entity_id]
            missing = [prop for prop in entity.schema.required if not entity.has(prop)]
            if missing:
                raise self.refused(kind, f"{entity_id} ({entity.schema.name}) without its {', '.join(missing)}")
            try:
                entity.schema.validate({"properties": entity.properties})
            except InvalidData as error:
                raise self.refused(kind, f"{entity_id}: {error.errors}") from error
            for prop, value in entity.itervalues():
                if prop.type is not registry.entity:
                    continue
                target = self.entities.get(value)
                if target is None:
                    detail = f"{entity_id}: {prop.name} refers to {value}, which is not in the export"
                    raise NewsfactsError("foreign-key-violated", detail, self.where.get(TABLE_OF_KIND[kind]))
                if prop.range is not None and not target.schema.is_a(prop.range):
                    detail = f"{value} ({target.schema.name}) as the {prop.name} of {entity_id}, a {prop.range.name}"
                    raise self.refused(kind, detail)
        return [entity for _, entity in sorted(self.entities.items())]


def ftm_entities(
    model: Model, tables: Mapping[str, list[Row]], seeds: Mapping[str, str], dataset: str, where: Mapping[str, str]
) -> list[ValueEntity]:
    """The package's tables as checked FtM entities, sorted by id (docs/ftm.md gives the mapping)."""
    graph = Graph(model, dataset, where)
    mentions = table(tables, "entity_mentions")
    add_entities(graph, table(tables, "entities"), articles_of(mentions, "entity_id"))
    add_articles(graph, table(tables, "articles"), seeds)
    add_mentions(graph, mentions)
    event_articles = articles_of(table(tables, "event_sources"), "event_id")
    add_events(graph, table(tables, "events"), table(tables, "event_actors"), event_articles)
    add_event_relations(graph, table(tables, "event_relations"))
    add_sanctions(graph, table(tables, "sanctions"), articles_of(table(tables, "sanction_sources"), "sanction_id"))
    return graph.checked()


def articles_of(sources: Iterable[Row], key: str) -> dict[str, list[str]]:
    """key value -> the FtM ids of the articles that are its sources, sorted."""
    found: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        found[source[key]].add(ftm_id("article", source["article_id"]))
    return {value: sorted(ids) for value, ids in found.items()}


def add_entities(graph: Graph, entities: list[Row], articles: Mapping[str, list[str]]) -> None:
    for row in entities:
        schema = SCHEMA_OF_ENTITY_TYPE.get(row["entity_type"])
        if schema is None:
            detail = f"the entity type {row['entity_type']!r} of {row['entity_id']}: newsfacts maps no schema to it"
            raise graph.refused("entity", detail + " (docs/ftm.md)")
        entity = graph.make(schema, "entity", row["entity_id"])
        graph.put(entity, "name", row["name"])
        graph.put(entity, "alias", *split_list(row["aliases"]))
        graph.put(entity, "description", row["description"])
        graph.put(entity, "country", row["country"])
        graph.put(entity, "keywords", row["entity_type"])
        graph.put(entity, "topics", *TOPICS_OF_ENTITY_TYPE.get(row["entity_type"], ()))
        graph.put(entity, "proof", *articles.get(row["entity_id"], []))
    for row in entities:  # once every entity is made: a parent may come later in the table
        if row["parent_id"] is not None:
            add_parent(graph, row["entity_id"], row["parent_id"])


def add_parent(graph: Graph, entity_id: str, parent_id: str) -> None:
    """parent_id as FtM's Membership where the two fit its member and organisation, else an UnknownLink."""
    member = graph.existing(entity_id, f"entity {entity_id}")
    parent = graph.existing(parent_id, f"the parent_id of {entity_id}")
    if member.schema.is_a("LegalEntity") and parent.schema.is_a("Organization"):
        link = graph.make("Membership", "parent", entity_id)
        graph.put(link, "member", member.id)
        graph.put(link, "organization", parent.id)
    else:
        link = graph.make("UnknownLink", "parent", entity_id)
        graph.put(link, "subject", member.id)
        graph.put(link, "object", parent.id)
        graph.put(link, "role", PARENT_ROLE)


def add_articles(graph: Graph, articles: list[Row], seeds: Mapping[str, str]) -> None:
    for row in articles:
        article = graph.make("Article", "article", row["article_id"])
        graph.put(article, "title", row["title"])
        graph.put(article, "fileName", PurePosixPath(row["seed_file"]).name)
        graph.put(article, "bodyText", seeds[row["article_id"]])
        graph.put(article, "author", *split_list(row["authors"]))
        graph.put(article, "publishedAt", row["published_date"])
        graph.put(article, "language", row["language"])
        if row["outlet_id"] is not None:
            outlet = graph.existing(row["outlet_id"], f"the outlet_id of {row['article_id']}")
            graph.put(article, "publisher", *outlet.get("name"))
        graph.put(article, "notes", row["outlet_note"], row["published_date_note"])
        graph.put(article, "sourceUrl", row["url"])  # empty unless the source gives it: never guessed


def add_mentions(graph: Graph, mentions: list[Row]) -> None:
    for row in mentions:
        mentioned = graph.existing(row["entity_id"], f"the mention of {row['entity_id']} in {row['article_id']}")
        mention = graph.make("Documentation", "mention", row["entity_id"], row["article_id"], row["char_start"])
        graph.put(mention, "document", ftm_id("article", row["article_id"]))
        graph.put(mention, "entity", mentioned.id)
        graph.put(mention, "role", row["mention_type"])
        graph.put(mention, "summary", row["text"])


def add_events(graph: Graph, events: list[Row], actors: list[Row], articles: Mapping[str, list[str]]) -> None:
    made: dict[str, ValueEntity] = {}
    for row in events:
        event = made[row["event_id"]] = graph.make("Event", "event", row["event_id"])
        # FtM requires a name; an event's one neutral sentence is the nearest it has to one.
        graph.put(event, "name", row["description"])
        graph.put(event, "startDate", date_prefix(graph, row, "start_date"))
        graph.put(event, "endDate", date_prefix(graph, row, "end_date"))
        graph.put(event, "location", row["location"])
        graph.put(event, "notes", row["date_note"])
        # FtM's Event has no type or status; `keywords` is its place for such terms.
        graph.put(event, "keywords", row["event_type"], row["status"])
        graph.put(event, "proof", *articles.get(row["event_id"], []))
    for row in actors:
        referrer = f"the actor {row['entity_id']} of {row['event_id']}"
        actor = graph.existing(row["entity_id"], referrer)
        if row["event_id"] not in made:
            raise NewsfactsError("foreign-key-violated", f"{referrer}: no event {row['event_id']!r} in events")
        event = made[row["event_id"]]
        if actor.schema.is_a("LegalEntity"):
            graph.put(event, "organizer" if row["role"] in ORGANIZER_ROLES else "involved", actor.id)
        else:  # an Event's parties are legal entities: a thing it is about is linked to it, with its role
            link = graph.make("UnknownLink", "event-actor", row["event_id"], row["entity_id"], row["role"])
            graph.put(link, "subject", event.id)
            graph.put(link, "object", actor.id)
            graph.put(link, "role", row["role"])
            graph.put(link, "proof", *event.get("proof"))


def date_prefix(graph: Graph, event: Row, column: str) -> str | None:
    """An event's date cut to its date_precision: FtM reads `2024-08` as a month."""
    date = event[column]
    if date is None:
        return None
    length = DATE_PREFIX_LENGTH.get(event["date_precision"])
    if length is None:
        detail = (
            f"the date precision {event['date_precision']!r} of {event['event_id']}: newsfacts has no date form for it"
        )
        raise graph.refused("event", detail)
    return str(date)[:length]


def add_event_relations(graph: Graph, relations: list[Row]) -> None:
    for row in relations:
        key = (row["event_id"], row["relation_type"], row["related_event_id"])
        link = graph.make("UnknownLink", "event-relation", *key)
        graph.put(link, "subject", ftm_id("event", row["event_id"]))
        graph.put(link, "object", ftm_id("event", row["related_event_id"]))
        graph.put(link, "role", row["relation_type"])
        graph.put(link, "summary", row["text"])
        graph.put(link, "description", row["note"])
        graph.put(link, "proof", ftm_id("article", row["article_id"]))


def add_sanctions(graph: Graph, sanctions: list[Row], articles: Mapping[str, list[str]]) -> None:
    for row in sanctions:
        target = graph.existing(row["target_id"], f"the target_id of {row['sanction_id']}")
        imposer = graph.existing(row["imposer_id"], f"the imposer_id of {row['sanction_id']}")
        sanction = graph.make("Sanction", "sanction", row["sanction_id"])
        graph.put(sanction, "entity", target.id)
        # FtM's authority is a name, and a Sanction's country is the sanctioning one's.
        graph.put(sanction, "authority", *imposer.get("name"))
        graph.put(sanction, "country", *imposer.get("country"))
        graph.put(sanction, "provisions", row["measures"])
        graph.put(sanction, "status", row["status"])
        graph.put(sanction, "date", row["announced_date"])
        graph.put(sanction, "description", row["description"])
        graph.put(sanction, "proof", *articles.get(row["sanction_id"], []))


def json_lines(entities: Iterable[ValueEntity]) -> bytes:
    """One JSON object a line, as FtM's own writer (`ftm validate`) writes it: `id` first, so that a
    byte sort is a sort by id (`ftm sorted-aggregate` relies on it), compact, UTF-8."""
    lines = []
    for entity in entities:
        data = entity.to_dict()
        ordered = {"id": data.pop("id"), **data}
        lines.append(json.dumps(ordered, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines).encode("utf-8")
