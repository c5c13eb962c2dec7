from typing import ClassVar

from ._base import ARTICLE_FK, ArticleRef, CharEnd, CharStart, EventRef, Evidence, ForeignKey, SpanText, event_fk


class EventSource(Evidence):
    """A verbatim span of an article that reports an event."""

    resource_name: ClassVar[str] = "event_sources"
    row_name: ClassVar[str] = "event-source"
    table_title: ClassVar[str] = "Event sources"
    evidence_of: ClassVar[str | None] = "event_id"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "article_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        event_fk("event_id"),
        ARTICLE_FK,
    )

    event_id: EventRef
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
