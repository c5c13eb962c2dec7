from typing import ClassVar

from ._base import ARTICLE_FK, ArticleRef, CharEnd, CharStart, Evidence, ForeignKey, SpanText, required


class SanctionSource(Evidence):
    """A verbatim span of an article that reports a sanction."""

    resource_name: ClassVar[str] = "sanction_sources"
    row_name: ClassVar[str] = "sanction-source"
    table_title: ClassVar[str] = "Sanction sources"
    evidence_of: ClassVar[str | None] = "sanction_id"
    primary_key: ClassVar[tuple[str, ...]] = ("sanction_id", "article_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("sanction_id",), "sanctions", ("sanction_id",)),
        ARTICLE_FK,
    )

    sanction_id: str = required("The sanction (→ sanctions.sanction_id).", pattern=r"^sn-[a-z0-9]+(-[a-z0-9]+)*$")
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
