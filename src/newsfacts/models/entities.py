from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from ._base import ISO_COUNTRY, SEMICOLON_LIST, SLUG, ForeignKey, Row, entity_fk, optional, required, unique

if TYPE_CHECKING:
    import polars as pl

EntityType = Literal["person", "organization", "government", "country", "media_outlet", "weapon_system", "other"]


class Entity(Row):
    """A person, organisation, government, country, media outlet or weapon system named in a source."""

    resource_name: ClassVar[str] = "entities"
    row_name: ClassVar[str] = "entity"
    table_title: ClassVar[str] = "Entities"
    primary_key: ClassVar[tuple[str, ...]] = ("entity_id",)
    label_field: ClassVar[str | None] = "name"
    note_fields: ClassVar[tuple[str, ...]] = ("description",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (entity_fk("parent_id"),)
    derived_columns: ClassVar[Mapping[str, str]] = {"name_key": "the name, case-folded"}

    entity_id: str = unique("Stable identifier: a lowercase slug such as `antony-blinken`.", pattern=SLUG)
    name: str = required(
        "Canonical name: for people and bodies the fullest form the sources print; for countries the "
        "short English name.",
        min_length=1,
    )
    entity_type: EntityType = required("What kind of entity this is.")
    aliases: str | None = optional(
        "Every other form the sources use to name this entity (spelling variants, short forms), "
        "`;`-separated, each exactly as printed. Each alias is attested in `entity_mentions`. A place "
        "standing for the entity (“Tehran”) is a metonym there, never an alias.",
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

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        import polars as pl

        # str.casefold, which polars lacks (to_lowercase leaves ß and ﬁ as they are).
        folded = [None if name is None else name.casefold() for name in frame.get_column("name").to_list()]
        return frame.with_columns(pl.Series("name_key", folded, dtype=pl.String))

    @classmethod
    def types(cls, frames: Mapping[str, "pl.DataFrame"], key: str, alias: str) -> "pl.DataFrame":
        """entity_id -> entity_type, renamed `key` -> `alias`; the last row wins where an id repeats."""
        import polars as pl

        entities = frames.get(cls.resource_name)
        if entities is None:
            return pl.DataFrame(schema={key: pl.String, alias: pl.String})
        return entities.select(pl.col("entity_id").alias(key), pl.col("entity_type").alias(alias)).unique(
            key, keep="last", maintain_order=True
        )
