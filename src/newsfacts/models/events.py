from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from ._base import EVENT_ID, Basis, DatePrecision, OptionalDate, Row, Sources, Vocabulary, optional, required, unique
from ._frames import counts, matched
from .event_actors import EventActor
from .event_relations import EventRelation
from .event_sources import EventSource
from .plover import (
    PLOVER_CATEGORIES,
    PLOVER_MODES,
    PLOVER_UNCODED_REASONS,
    PloverCategoryName,
    PloverUncodedReason,
    plover_mapping,
)

if TYPE_CHECKING:
    import polars as pl

# The controlled vocabulary of `event_type`; the data dictionary prints these definitions.
EVENT_TYPES: dict[str, str] = {
    "weapons_transfer": "Weapons delivered, shipped or received, or a transfer reported or expected.",
    "military_training": "Personnel trained to use a weapon system.",
    "military_operation": "An offensive, strike or other military action.",
    "weapons_production": "A change in the production of weapons.",
    "media_report": "A report published by a news organisation (the report itself, not its claim).",
    "statement": "A public statement, remark or post by an official or body.",
    "accusation": "A formal accusation by one party against another.",
    "denial": "A denial of a claim; the denied claim is its own event with status `alleged` (what is still to "
    "come keeps `planned` or `expected`).",
    "warning": "A warning given to a party, of consequences or of a danger.",
    "press_conference": "A press conference or joint appearance before journalists.",
    "meeting": "A meeting between officials or leaders.",
    "visit": "A trip by an official to a place.",
    "agreement": "An agreement, partnership or dialogue entered into.",
    "policy_decision": "A decision on policy, such as permitting the use of weapons.",
    "social_media_post": "A post on a social network.",
    "other": "Anything else; say what in `description`.",
}
# Built from the categories' modes: 59 terms, which a literal list would only repeat.
PloverMode = Literal[PLOVER_MODES]  # type: ignore[valid-type]
EventType = Literal[
    "weapons_transfer",
    "military_training",
    "military_operation",
    "weapons_production",
    "media_report",
    "statement",
    "accusation",
    "denial",
    "warning",
    "press_conference",
    "meeting",
    "visit",
    "agreement",
    "policy_decision",
    "social_media_post",
    "other",
]


class Event(Row):
    """Something that happened, was planned, or was claimed, as the sources report it."""

    resource_name: ClassVar[str] = "events"
    row_name: ClassVar[str] = "event"
    table_title: ClassVar[str] = "Events"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id",)
    note_fields: ClassVar[tuple[str, ...]] = ("date_note", "description")
    reference_pattern: ClassVar[str | None] = EVENT_ID.removeprefix("^").removesuffix("$")
    relations_table: ClassVar[str | None] = EventRelation.resource_name
    dictionary_sections: ClassVar[tuple[str, ...]] = (plover_mapping(),)
    sources: ClassVar[Sources | None] = Sources(EventSource.resource_name, "event_id")
    derived_columns: ClassVar[Mapping[str, str]] = {"actor_count": "number of event_actors rows of the event"}
    vocabularies: ClassVar[tuple[Vocabulary, ...]] = (
        Vocabulary("Event types", "event_type", EVENT_TYPES),
        Vocabulary(
            "PLOVER categories",
            "plover_category",
            {
                name: category.definition
                + (" Modes: " + ", ".join(f"`{mode}`" for mode in category.modes) + "." if category.modes else "")
                for name, category in PLOVER_CATEGORIES.items()
            },
        ),
        Vocabulary("Reasons for no PLOVER category", "plover_uncoded_reason", PLOVER_UNCODED_REASONS),
    )

    event_id: str = unique("Stable identifier `ev-…`.", pattern=EVENT_ID)
    event_type: EventType = required("What kind of event (controlled vocabulary, see below).")
    status: Literal["occurred", "planned", "alleged", "denied", "expected"] = required(
        "`occurred`: reported as fact; `planned`: scheduled for later; `alleged`: claimed but not "
        "confirmed, or denied by a party (what is still to come stays `planned` or `expected`); "
        "`denied`: reported as not having happened; `expected`: anticipated."
    )
    start_date: OptionalDate = optional("First day of the event (ISO 8601); empty when the sources do not date it.")
    end_date: OptionalDate = optional(
        "Last day of the event; equals `start_date` for one-day events, the month's last day for `month`."
    )
    date_precision: DatePrecision | None = optional(
        "How precisely the sources date the event; empty exactly when `start_date` is empty."
    )
    date_basis: Basis = required(
        "`stated` if the sources print the date, `inferred` if resolved from relative dates, `unknown` if undated."
    )
    date_note: str | None = optional(
        "How a relative date was resolved, quoting the words it was resolved from. Other events are never "
        "named here: a relation between events is a row of `event_relations`."
    )
    description: str = required("One neutral sentence saying what happened.", min_length=1)
    location: str | None = optional("Where it happened, as printed.")
    plover_category: PloverCategoryName | None = optional(
        "The event's PLOVER category (controlled vocabulary, see below; rules in docs/codebook.md); empty "
        "exactly when `plover_uncoded_reason` says why PLOVER would not code it."
    )
    plover_mode: PloverMode | None = optional(
        "The PLOVER mode, one of the category's own modes; empty where the category has none or none fits."
    )
    plover_uncoded_reason: PloverUncodedReason | None = optional(
        "Why the event has no PLOVER category (controlled vocabulary, see below); empty when it has one."
    )

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        import polars as pl

        frame = matched(frame, counts(frames, EventActor.resource_name, "event_id", "actor_count"), "event_id")
        return frame.with_columns(pl.col("actor_count").fill_null(0).cast(pl.Int64))
