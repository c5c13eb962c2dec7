from typing import ClassVar, Literal

from ._base import (
    ARTICLE_FK,
    ENTITY_ID_LIST,
    ArticleRef,
    CharEnd,
    CharStart,
    ForeignKey,
    Row,
    SpanText,
    entity_fk,
    optional,
    required,
    unique,
)


class Quote(Row):
    """A direct quotation, kept exactly as the article prints it."""

    resource_name: ClassVar[str] = "quotes"
    table_title: ClassVar[str] = "Quotes"
    verbatim_fields: ClassVar[tuple[str, ...]] = ("text",)
    primary_key: ClassVar[tuple[str, ...]] = ("quote_id",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (ARTICLE_FK, entity_fk("speaker_id"))

    quote_id: str = unique(
        "Stable identifier `q-NNN-SS`: article number, then order of appearance.",
        pattern=r"^q-[0-9]{3,}-[0-9]{2,}$",
    )
    article_id: ArticleRef
    speaker_id: str = required(
        "Who said it (→ entities): a person, organisation or government.", pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"
    )
    co_speaker_ids: str | None = optional(
        "Further entities the article credits with the same words (e.g. “they described as”), `;`-separated.",
        pattern=ENTITY_ID_LIST,
    )
    speaker_as_printed: str = required(
        "How the article refers to the speaker at this quote (e.g. `Blinken`, `he`, `the mission`).",
        min_length=1,
    )
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
    quote_type: Literal["full", "partial"] = required(
        "`full`: a sentence or clause quoted whole; `partial`: a fragment inside the journalist's own sentence."
    )
    utterance_id: str = required(
        "The statement this quote reports (`u-…`). Quotes of one statement in several articles, "
        "or twice in one article, share it; each keeps its own wording in `text`.",
        pattern=r"^u-[a-z0-9]+(-[a-z0-9]+)*$",
    )
