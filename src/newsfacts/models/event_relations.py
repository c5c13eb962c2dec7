from dataclasses import dataclass
from typing import ClassVar, Literal

from ._base import (
    ARTICLE_FK,
    EVENT_ID,
    ArticleRef,
    CharEnd,
    CharStart,
    EventRef,
    Evidence,
    ForeignKey,
    SpanText,
    Vocabulary,
    event_fk,
    required,
)


@dataclass(frozen=True)
class RelationType:
    """What a relation means, and what it asks of the events it links (`relation-order`,
    `relation-event-type`)."""

    definition: str
    # A symmetric relation is written once, with the smaller event_id first, so that each pair
    # has one row and a join finds it from either side.
    symmetric: bool = False
    # The event types `event_id` may have; empty when any type may.
    from_event_types: tuple[str, ...] = ()


# docs/codebook.md gives each type with an example from the dataset.
RELATION_TYPES: dict[str, RelationType] = {
    "conflicting_account": RelationType(
        "The two events are one happening that outlets report incompatibly (its day, its content or who "
        "spoke); both accounts are kept, each with its own sources.",
        symmetric=True,
    ),
    "same_statement": RelationType(
        "The two events report the same words of the same speaker (their quotes share an utterance), but "
        "the texts do not show that they are one occasion, so neither is merged into the other.",
        symmetric=True,
    ),
    "reports": RelationType(
        "`event_id` is a media report whose claim is `related_event_id`.", from_event_types=("media_report",)
    ),
    "alleges": RelationType(
        "`event_id` is an accusation whose charge is `related_event_id`.", from_event_types=("accusation",)
    ),
    "denies": RelationType("`event_id` is a denial of `related_event_id`.", from_event_types=("denial",)),
    "responds_to": RelationType(
        "`event_id` answers, reacts to or is caused by `related_event_id`, as the text says (“in response to”, "
        "“for supplying”, “triggered”, “condemned”)."
    ),
    "follows": RelationType(
        "`event_id` came, or is to come, after `related_event_id`, or since it, as the text says (“following”, "
        "“after”, “later that day”, “before then”, “since”), without saying that it answers it."
    ),
    "part_of": RelationType("`event_id` is one part of `related_event_id` (a meeting during a visit)."),
}
RelationTypeName = Literal[
    "conflicting_account", "same_statement", "reports", "alleges", "denies", "responds_to", "follows", "part_of"
]


def _conflicts_section() -> str:
    others = ", ".join(f"`{name}`" for name in RELATION_TYPES if name not in ("conflicting_account", "same_statement"))
    return f"""### Finding conflicting accounts

Where outlets disagree (for example on the day a third outlet published a report), the
dataset keeps one event per account and never merges them. Each such event has its own
rows in `event_sources`, so every account stays tied to the article that gives it, and one
row of `event_relations` with `relation_type` `conflicting_account` links the two accounts.
A symmetric relation is written once, with the smaller `event_id` first, so each pair is one
row. To list the pairs with the articles that give each side, join:

```sql
SELECT DISTINCT r.event_id, a.article_id AS article, r.related_event_id, b.article_id AS related_article
FROM event_relations AS r
JOIN event_sources AS a ON a.event_id = r.event_id
JOIN event_sources AS b ON b.event_id = r.related_event_id
WHERE r.relation_type = 'conflicting_account'
```

In pandas, with the tables of `newsfacts.load()`:

```python
relations = tables["event_relations"]
articles = tables["event_sources"][["event_id", "article_id"]].drop_duplicates()
related = articles.rename(columns={{"event_id": "related_event_id", "article_id": "related_article"}})
conflicts = (
    relations.loc[relations["relation_type"] == "conflicting_account", ["event_id", "related_event_id"]]
    .merge(articles.rename(columns={{"article_id": "article"}}), on="event_id")
    .merge(related, on="related_event_id")
)
```

`same_statement` rows link, likewise, two events that report the same words but are not shown
to be one occasion; {others} rows say how the other events hang together.
"""


class EventRelation(Evidence):
    """A typed relation between two events, with the verbatim span that shows it and a note."""

    resource_name: ClassVar[str] = "event_relations"
    row_name: ClassVar[str] = "event-relation"
    table_title: ClassVar[str] = "Event relations"
    evidence_of: ClassVar[str | None] = "event_id"
    primary_key: ClassVar[tuple[str, ...]] = ("event_id", "relation_type", "related_event_id")
    note_fields: ClassVar[tuple[str, ...]] = ("note",)
    dictionary_sections: ClassVar[tuple[str, ...]] = (_conflicts_section(),)
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (
        event_fk("event_id"),
        event_fk("related_event_id"),
        ARTICLE_FK,
    )
    vocabularies: ClassVar[tuple[Vocabulary, ...]] = (
        Vocabulary(
            "Relation types",
            "relation_type",
            {
                name: kind.definition + (" Symmetric." if kind.symmetric else "")
                for name, kind in RELATION_TYPES.items()
            },
        ),
    )

    event_id: EventRef
    relation_type: RelationTypeName = required(
        "How `event_id` relates to `related_event_id` (controlled vocabulary, see below). A symmetric "
        "type is written once, with the smaller event_id first."
    )
    related_event_id: str = required("The other event (→ events.event_id).", pattern=EVENT_ID)
    article_id: ArticleRef
    text: SpanText
    char_start: CharStart
    char_end: CharEnd
    note: str = required("Why the relation holds, in a sentence: what each side says.", min_length=1)
