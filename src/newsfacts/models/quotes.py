from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from ._base import (
    ARTICLE_FK,
    ENTITY_ID_LIST,
    ArticleRef,
    CharEnd,
    CharStart,
    Evidence,
    ForeignKey,
    SpanText,
    entity_fk,
    next_number,
    optional,
    required,
    unique,
)
from ._frames import number

if TYPE_CHECKING:
    import polars as pl


class Quote(Evidence):
    """A direct quotation, kept exactly as the article prints it."""

    resource_name: ClassVar[str] = "quotes"
    row_name: ClassVar[str] = "quote"
    table_title: ClassVar[str] = "Quotes"
    evidence_of: ClassVar[str | None] = "utterance_id"
    primary_key: ClassVar[tuple[str, ...]] = ("quote_id",)
    reference_pattern: ClassVar[str | None] = r"q-[0-9]{3,}-[0-9]{2,}"
    accounts_for_quotations: ClassVar[bool] = True
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (ARTICLE_FK, entity_fk("speaker_id"))
    derived_columns: ClassVar[Mapping[str, str]] = {
        **Evidence.derived_columns,
        "quote_article_number": "NNN of quote_id q-NNN-SS",
        "article_number": "NNN of article_id art-NNN",
    }

    @classmethod
    def next_key(cls, cells: Mapping[str, str | None], taken: Collection[str]) -> dict[str, str]:
        """The article's next quote number, `q-005-03` after `q-005-02`: quotes added in reading order
        are numbered in their order of appearance."""
        article = cells.get("article_id") or ""
        if not article.startswith("art-"):
            return {}
        return {"quote_id": next_number(f"q-{article.removeprefix('art-')}-", 2, taken)}

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

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        import polars as pl

        return (
            super()
            .derive(frame, frames)
            .with_columns(
                number(pl.col("quote_id")).alias("quote_article_number"),
                number(pl.col("article_id")).alias("article_number"),
            )
        )
