from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal, get_args

from ._base import EntityRef, EventRef, ForeignKey, Row, entity_fk, event_fk, required
from ._frames import matched
from .entities import Entity

if TYPE_CHECKING:
    import polars as pl

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
    row_name: ClassVar[str] = "event-actor"
    table_title: ClassVar[str] = "Event actors"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "entity_id", "role")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        event_fk("event_id"),
        entity_fk("entity_id"),
    )
    # A rule about one role names that role's column: suites have no row conditions (allowlist.py).
    derived_columns: ClassVar[Mapping[str, str]] = {
        "entity_type": "entity_type of entity_id",
        **{
            f"{role}_type": f"entity_type of entity_id where role is {role}, else empty" for role in get_args(ActorRole)
        },
    }

    event_id: EventRef
    entity_id: EntityRef
    role: ActorRole = required(
        "The part the entity played: `actor` did it; `supplier`/`recipient` of a transfer; `speaker` of a "
        "statement; `reporter` published a report or carried the statement; `cited_source` "
        "spoke of the event without doing it; `participant`, `host`; "
        "`target` of an action; `subject` the event is about."
    )

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        import polars as pl

        frame = matched(frame, Entity.types(frames, "entity_id", "entity_type"), "entity_id")
        return frame.with_columns(
            pl.when(pl.col("role") == role).then(pl.col("entity_type")).alias(f"{role}_type")
            for role in get_args(ActorRole)
        )
