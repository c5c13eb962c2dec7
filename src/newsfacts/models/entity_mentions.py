from typing import ClassVar, Literal

from ._base import (
    ARTICLE_FK,
    ArticleRef,
    CharEnd,
    CharStart,
    EntityRef,
    Evidence,
    ForeignKey,
    SpanText,
    Vocabulary,
    entity_fk,
    required,
)

# How a mention refers to its entity; docs/codebook.md gives the rule and an example of each.
MENTION_TYPES: dict[str, str] = {
    "name": "The text is the entity's `name`.",
    "alias": "The text is one of the entity's `aliases` (a spelling variant, a short form, the name with an "
    "honorific such as “Mr”).",
    "metonym": "A place or building that stands for the entity, such as “Tehran” for Iran's government. It is "
    "not an alias: the same word also names the place, so each occurrence is a judgement of its own.",
}
MentionType = Literal["name", "alias", "metonym"]


class EntityMention(Evidence):
    """Where an entity is named in a seed: the evidence for each entity and each of its aliases, and
    every metonym that stands for it."""

    resource_name: ClassVar[str] = "entity_mentions"
    row_name: ClassVar[str] = "mention"
    table_title: ClassVar[str] = "Entity mentions"
    evidence_of: ClassVar[str | None] = "entity_id"
    primary_key: ClassVar[tuple[str, ...]] = ("entity_id", "article_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (entity_fk("entity_id"), ARTICLE_FK)
    vocabularies: ClassVar[tuple[Vocabulary, ...]] = (Vocabulary("Mention types", "mention_type", MENTION_TYPES),)

    entity_id: EntityRef
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
    mention_type: MentionType = required(
        "How the text refers to the entity: its `name`, one of its `aliases`, or a `metonym` (controlled "
        "vocabulary, see below)."
    )
