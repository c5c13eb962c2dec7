from typing import ClassVar

from ._base import ARTICLE_FK, ArticleRef, CharEnd, CharStart, Evidence, ForeignKey, SpanText, required


class EventSource(Evidence):
    """A verbatim span of an article that reports an event."""

    resource_name: ClassVar[str] = "event_sources"
    table_title: ClassVar[str] = "Event sources"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "article_id", "char_start")
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        ForeignKey(("event_id",), "events", ("event_id",)),
        ARTICLE_FK,
    )

    event_id: str = required("The event (→ events.event_id).", pattern=r"^ev-[a-z0-9]+(-[a-z0-9]+)*$")
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
