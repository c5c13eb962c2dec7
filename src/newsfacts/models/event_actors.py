from typing import ClassVar, Literal

from ._base import EntityRef, ForeignKey, Row, entity_fk, required

ActorRole = Literal[
    "actor",
    "supplier",
    "recipient",
    "speaker",
    "reporter",
    "cited_source",
    "participant",
    "host",
    "target",
    "subject",
]


class EventActor(Row):
    """Links an event to an entity that took part in it, with the part it played."""

    resource_name: ClassVar[str] = "event_actors"
    table_title: ClassVar[str] = "Event actors"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "entity_id", "role")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("event_id",), "events", ("event_id",)),
        entity_fk("entity_id"),
    )

    event_id: str = required("The event (→ events.event_id).", pattern=r"^ev-[a-z0-9]+(-[a-z0-9]+)*$")
    entity_id: EntityRef
    role: ActorRole = required(
        "The part the entity played: `actor` did it; `supplier`/`recipient` of a transfer; `speaker` of a "
        "statement; `reporter` published a report; `cited_source` was cited by one; `participant`, `host`; "
        "`target` of an action; `subject` the event is about."
    )
