from typing import ClassVar, Literal

from ._base import (
    ARTICLE_FK,
    ArticleRef,
    CharEnd,
    CharStart,
    Evidence,
    ForeignKey,
    SpanText,
    Vocabulary,
    optional,
    required,
)

# Why a span between quotation marks is no quotation; the data dictionary prints these, and
# docs/codebook.md gives each with an example.
NON_QUOTE_REASONS: dict[str, str] = {
    "term": "A name or term the writer marks as such (a programme, a policy, a coined phrase), not words someone said.",
    "scare_quotes": "Marks that distance the writer from a word (irony, doubt), not a report of speech.",
    "title": "The title of a work, a report or an event.",
    "word_as_word": "A word or phrase talked about as a word.",
}
NonQuoteReason = Literal["term", "scare_quotes", "title", "word_as_word"]


class NonQuote(Evidence):
    """A span between quotation marks that is no quotation, with the reason: every quotation of a
    seed is a quote or a non-quote."""

    resource_name: ClassVar[str] = "non_quotes"
    row_name: ClassVar[str] = "non-quote"
    table_title: ClassVar[str] = "Non-quotes"
    primary_key: ClassVar[tuple[str, ...]] = ("article_id", "char_start")
    note_fields: ClassVar[tuple[str, ...]] = ("note",)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (ARTICLE_FK,)
    vocabularies: ClassVar[tuple[Vocabulary, ...]] = (
        Vocabulary("Reasons for a non-quote", "reason", NON_QUOTE_REASONS),
    )
    accounts_for_quotations: ClassVar[bool] = True

    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
    reason: NonQuoteReason = required("Why the marked span is no quotation (controlled vocabulary, see below).")
    note: str | None = optional("What the marks enclose, where the reason alone does not say it.")
