from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from ._base import (
    EVENT_ID,
    Basis,
    EntityRef,
    ForeignKey,
    OptionalDate,
    Row,
    Sources,
    entity_fk,
    event_fk,
    optional,
    required,
    unique,
)
from ._frames import matched
from .entities import Entity
from .sanction_sources import SanctionSource

if TYPE_CHECKING:
    import polars as pl


class Sanction(Row):
    """A sanction or other punitive measure, announced, promised, expected or in force."""

    resource_name: ClassVar[str] = "sanctions"
    row_name: ClassVar[str] = "sanction"
    table_title: ClassVar[str] = "Sanctions"
    primary_key: ClassVar[tuple[str, ...]] = ("sanction_id",)
    note_fields: ClassVar[tuple[str, ...]] = ("description",)
    reference_pattern: ClassVar[str | None] = r"sn-[a-z0-9]+(?:-[a-z0-9]+)*"
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        entity_fk("imposer_id"),
        entity_fk("target_id"),
        event_fk("event_id"),
    )
    sources: ClassVar[Sources | None] = Sources(SanctionSource.resource_name, "sanction_id")
    derived_columns: ClassVar[Mapping[str, str]] = {"imposer_type": "entity_type of imposer_id"}

    sanction_id: str = unique("Stable identifier `sn-…`.", pattern=r"^sn-[a-z0-9]+(-[a-z0-9]+)*$")
    imposer_id: EntityRef
    target_id: EntityRef
    announced_date: OptionalDate = optional(
        "When the measure was announced or promised (ISO 8601); empty if the sources do not say."
    )
    announced_date_basis: Basis = required("`stated`, `inferred` (resolved from a relative date) or `unknown`.")
    status: Literal["announced", "promised", "expected", "in_force"] = required(
        "`announced`: formally announced; `promised`: an official said it will come; `expected`: "
        "anticipated from others; `in_force`: already imposed."
    )
    measures: str | None = optional("What the measure consists of, as far as the sources say.")
    description: str = required("One neutral sentence describing the measure.", min_length=1)
    event_id: str | None = optional(
        "The event in which the measure was announced, promised or expected, or the measures of which "
        "are the sanction (→ events.event_id); empty if no event records it.",
        pattern=EVENT_ID,
    )

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        return matched(frame, Entity.types(frames, "imposer_id", "imposer_type"), "imposer_id")
