from typing import ClassVar

from ._base import ARTICLE_FK, ArticleRef, CharEnd, CharStart, EntityRef, Evidence, ForeignKey, SpanText, entity_fk


class EntityMention(Evidence):
    """Where an entity is named in a seed: the evidence for each entity and each of its aliases."""

    resource_name: ClassVar[str] = "entity_mentions"
    table_title: ClassVar[str] = "Entity mentions"
    primary_key: ClassVar[tuple[str, ...]] = ("entity_id", "article_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (entity_fk("entity_id"), ARTICLE_FK)

    entity_id: EntityRef
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
