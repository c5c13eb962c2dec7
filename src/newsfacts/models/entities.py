from typing import ClassVar, Literal

from ._base import ISO_COUNTRY, SEMICOLON_LIST, SLUG, ForeignKey, Row, entity_fk, optional, required, unique

EntityType = Literal["person", "organization", "government", "country", "media_outlet", "weapon_system", "other"]


class Entity(Row):
    """A person, organisation, government, country, media outlet or weapon system named in a source."""

    resource_name: ClassVar[str] = "entities"
    table_title: ClassVar[str] = "Entities"
    primary_key: ClassVar[tuple[str, ...]] = ("entity_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (entity_fk("parent_id"),)

    entity_id: str = unique("Stable identifier: a lowercase slug such as `antony-blinken`.", pattern=SLUG)
    name: str = required(
        "Canonical name: for people and bodies the fullest form the sources print; for countries the "
        "short English name.",
        min_length=1,
    )
    entity_type: EntityType = required("What kind of entity this is.")
    aliases: str | None = optional(
        "Every other form the sources use to name this entity (spelling variants, short forms), "
        "`;`-separated, each exactly as printed. Each alias is attested in `entity_mentions`.",
        pattern=SEMICOLON_LIST,
    )
    description: str = required(
        "What or who this is, including roles as the sources give them (e.g. U.S. Secretary of State).",
        min_length=1,
    )
    country: str | None = optional(
        "ISO 3166-1 alpha-2 code of the country the entity belongs to, where it applies.",
        pattern=ISO_COUNTRY,
    )
    parent_id: str | None = optional(
        "The entity this one belongs to or acts for (→ entities.entity_id), e.g. a mission's government.",
        pattern=SLUG,
    )
