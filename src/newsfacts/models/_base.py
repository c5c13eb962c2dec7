"""Shared building blocks for the table models.

Every table is a pydantic model. Besides its fields, a model declares its table-level
metadata (resource name, primary key, foreign keys) as class variables, so that the
Table Schema, the JSON Schema and the data dictionary can all be generated from it, and the
facts the checks and the suites read (verbatim spans, required sources, derived columns).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..cells import date_cell, integer_cell

if TYPE_CHECKING:
    import polars as pl

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ISO_COUNTRY = r"^[A-Z]{2}$"
SHA256_HEX = r"^[0-9a-f]{64}$"
SEED_FILE = r"^seeds/[A-Za-z0-9_.-]+\.txt$"
ARTICLE_ID = r"^art-[0-9]{3,}$"
EVENT_ID = r"^ev-[a-z0-9]+(-[a-z0-9]+)*$"
# A `;`-separated list with no empty items and no blanks around the separators.
SEMICOLON_LIST = r"^[^;\s]([^;]*[^;\s])?(;[^;\s]([^;]*[^;\s])?)*$"
ENTITY_ID_LIST = r"^[a-z0-9]+(-[a-z0-9]+)*(;[a-z0-9]+(-[a-z0-9]+)*)*$"

Basis = Literal["stated", "inferred", "unknown"]
# Integers and dates are read by the one cell grammar (cells.py), never by pydantic's lax parsing,
# which would take ` 83`, `8_3` or `83.0`; so `build` accepts exactly what every reader reads.
# (A before-validator placed after a field's constraints, so that they stay `minimum` in the schemas.)
INTEGER_CELL = BeforeValidator(integer_cell)
OptionalDate = Annotated[datetime.date | None, BeforeValidator(date_cell)]
DatePrecision = Literal["day", "week", "month", "year"]


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Sources:
    """The table that must hold at least one verbatim source for every row, matched on `key`."""

    table: str
    key: str


@dataclass(frozen=True)
class Vocabulary:
    """A field's controlled vocabulary, each term with what it means, as the data dictionary lists it."""

    title: str
    field: str
    terms: Mapping[str, str]


class Row(BaseModel):
    """Base class of every table row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resource_name: ClassVar[str]
    # What one row is called where a contributor adds one (`newsfacts add quote`).
    row_name: ClassVar[str]
    table_title: ClassVar[str]
    primary_key: ClassVar[tuple[str, ...]]
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = ()
    # Fields that hold text copied verbatim from a seed, at [char_start, char_end) of the seed of
    # article_id; each is checked against it (`span-mismatch`) and may start with `=` or `+`.
    verbatim_fields: ClassVar[tuple[str, ...]] = ()
    # Where every row must have a verbatim source (`source-missing`), if anywhere.
    sources: ClassVar[Sources | None] = None
    # Columns the table's expectation suite may name besides the fields, each with what it holds;
    # `derive` computes them. GX checks one table at a time, so a rule that needs another table's
    # facts (every article has a quote) reads them from a derived column.
    derived_columns: ClassVar[Mapping[str, str]] = {}
    # The controlled vocabularies the data dictionary explains below the table's fields.
    vocabularies: ClassVar[tuple[Vocabulary, ...]] = ()
    # Whether each row's span accounts for a quotation of its seed (`quote-uncovered`): a quote,
    # or a span between quotation marks that is no quotation.
    accounts_for_quotations: ClassVar[bool] = False
    # Free-text fields that may name other rows by id (`see ev-…`); each id named must exist (`reference-unknown`).
    note_fields: ClassVar[tuple[str, ...]] = ()
    # How the table's ids look in free text, where they can be told from prose (`ev-…`); its
    # first key field holds them. Entity ids are plain slugs, so notes cannot name them checkably.
    reference_pattern: ClassVar[str | None] = None
    # The table that holds the relations between this table's rows, if one does: the table's own notes
    # then never name another of its rows (`reference-in-note`), so that every cross-reference is data.
    relations_table: ClassVar[str | None] = None
    # Markdown sections the data dictionary prints after the table's own (how to query it, a mapping).
    dictionary_sections: ClassVar[tuple[str, ...]] = ()
    # The field that names a row for people (an entity's name, an article's headline), if one does:
    # what a tool shows beside a key that refers to the row (Datasette's label column).
    label_field: ClassVar[str | None] = None
    # The field of a span table that names what each span is evidence of (the entity a mention names,
    # the event a source reports, the statement a quote words), if one does: where the explorer
    # (`newsfacts site`) links a highlighted span.
    evidence_of: ClassVar[str | None] = None

    @classmethod
    def summary(cls) -> str:
        """The model's docstring on one line: the table's description."""
        return " ".join((cls.__doc__ or "").split())

    @classmethod
    def next_key(cls, cells: Mapping[str, str | None], taken: Collection[str]) -> dict[str, str]:
        """The key cells `newsfacts add` fills in for a new row with these `cells`, given the ids already
        `taken` (the values of the key's first field): none, unless the table numbers its ids."""
        return {}

    @classmethod
    def derive(cls, frame: pl.DataFrame, frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
        """The table's valid rows (`frame`) with its `derived_columns` added.

        `frames` holds every table's valid rows, by resource name. polars is imported inside
        `derive`, so that importing the models stays light.
        """
        return frame


def next_number(prefix: str, width: int, taken: Collection[str], first: int = 1) -> str:
    """`prefix` and the number after the highest one taken with that prefix (or `first`), zero-padded to `width`."""
    # ASCII digits only: `isdigit` alone takes "²", which `int` refuses.
    numbers = [
        int(rest)
        for value in taken
        if value.startswith(prefix) and (rest := value[len(prefix) :]).isascii() and rest.isdigit()
    ]
    return f"{prefix}{max(numbers, default=first - 1) + 1:0{width}d}"


def unique(description: str, **kwargs: Any) -> Any:
    """A required field whose values must be unique in the table."""
    return Field(description=description, json_schema_extra={"unique": True}, **kwargs)


def optional(description: str, **kwargs: Any) -> Any:
    """A field that may be left empty (null)."""
    return Field(default=None, description=description, **kwargs)


def required(description: str, **kwargs: Any) -> Any:
    return Field(description=description, **kwargs)


class Evidence(Row):
    """A table of verbatim spans: `text` is the seed of `article_id` from `char_start` to `char_end`.

    Each evidence table declares the four columns below (ArticleRef, SpanText, CharStart, CharEnd)
    where its header has them; this class adds what every span table has in common.
    """

    verbatim_fields: ClassVar[tuple[str, ...]] = ("text",)
    derived_columns: ClassVar[Mapping[str, str]] = {
        "span_length": "char_end - char_start",
        "text_length": "len(text), in code points",
    }

    @classmethod
    def derive(cls, frame: pl.DataFrame, frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
        import polars as pl

        return frame.with_columns(
            (pl.col("char_end") - pl.col("char_start")).alias("span_length"),
            pl.col("text").str.len_chars().alias("text_length"),
        )


# The four columns of every evidence table: where in which seed a verbatim span sits.
ArticleRef = Annotated[str, required("The article (→ articles.article_id) the text comes from.", pattern=ARTICLE_ID)]
SpanText = Annotated[str, required("Copied character for character from the seed text.", min_length=1)]
CharStart = Annotated[
    int,
    required("Offset of the first character of `text` in the seed text, in Unicode code points from 0.", ge=0),
    INTEGER_CELL,
]
CharEnd = Annotated[
    int,
    required("Offset just past the last character of `text` (half-open), in Unicode code points.", ge=1),
    INTEGER_CELL,
]
EntityRef = Annotated[str, required("An entity (→ entities.entity_id).", pattern=SLUG)]
EventRef = Annotated[str, required("The event (→ events.event_id).", pattern=EVENT_ID)]

ARTICLE_FK = ForeignKey(("article_id",), "articles", ("article_id",))


def event_fk(field: str) -> ForeignKey:
    return ForeignKey((field,), "events", ("event_id",))


def entity_fk(field: str) -> ForeignKey:
    return ForeignKey((field,), "entities", ("entity_id",))
