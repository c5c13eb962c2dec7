from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

from ._base import (
    ARTICLE_ID,
    SEED_FILE,
    SEMICOLON_LIST,
    SHA256_HEX,
    Basis,
    ForeignKey,
    OptionalDate,
    Row,
    entity_fk,
    next_number,
    optional,
    required,
    unique,
)
from ._frames import counts, matched, number
from .quotes import Quote

if TYPE_CHECKING:
    import polars as pl


class Article(Row):
    """One source document: a news article kept verbatim under `seeds/`."""

    resource_name: ClassVar[str] = "articles"
    row_name: ClassVar[str] = "article"
    table_title: ClassVar[str] = "Articles"
    primary_key: ClassVar[tuple[str, ...]] = ("article_id",)
    label_field: ClassVar[str | None] = "title"
    note_fields: ClassVar[tuple[str, ...]] = ("outlet_note", "published_date_note")
    reference_pattern: ClassVar[str | None] = r"art-[0-9]{3,}"
    foreign_keys: ClassVar[tuple[ForeignKey, ...]] = (entity_fk("outlet_id"),)
    derived_columns: ClassVar[Mapping[str, str]] = {
        "article_number": "NNN of article_id art-NNN",
        "seed_number": "NNN of seed_file seeds/NNN_….txt",
        "quote_count": "number of quotes from the article",
    }

    @classmethod
    def next_key(cls, cells: Mapping[str, str | None], taken: Collection[str]) -> dict[str, str]:
        return {"article_id": next_number("art-", 3, taken, first=0)}

    @staticmethod
    def seed_file_for(article_id: str, sha256: str) -> str:
        """Where `newsfacts add article` stores a seed: `seeds/NNN_<first 16 hex digits of its sha256>.txt`."""
        return f"seeds/{article_id.removeprefix('art-')}_{sha256[:16]}.txt"

    article_id: str = unique("Stable identifier `art-NNN`, NNN being the seed file's prefix.", pattern=ARTICLE_ID)
    seed_file: str = unique(
        "Path of the verbatim source text, relative to the package folder (under `seeds/`, beside `datapackage.json`).",
        pattern=SEED_FILE,
    )
    sha256: str = required("SHA-256 of the seed file's bytes, lowercase hex.", pattern=SHA256_HEX)
    title: str | None = optional("Headline as printed in the seed; empty when the seed prints none.")
    outlet_id: str | None = optional(
        "The outlet that published the article (→ entities), empty when the text gives no basis."
    )
    outlet_basis: Basis = required(
        "`stated` if the text names the outlet as publisher, `inferred` if deduced, `unknown` if not known."
    )
    outlet_note: str | None = optional("The evidence and reasoning behind `outlet_id`.")
    authors: str | None = optional("Bylined authors as printed, `;`-separated.", pattern=SEMICOLON_LIST)
    published_date: OptionalDate = optional("Publication date (ISO 8601); empty if unknown.")
    published_date_basis: Basis = required(
        "`stated` if the text prints the date, `inferred` if resolved from relative dates, `unknown` otherwise."
    )
    published_date_note: str | None = optional("The evidence and reasoning behind `published_date`, quoting the text.")
    dateline: str | None = optional("The dateline as printed (e.g. `LONDON`).")
    language: Literal["en"] = required("Language of the text (BCP 47).")
    url: str | None = optional(
        "Canonical URL of the article. Left empty unless the source itself gives it: URLs are never guessed.",
        pattern=r"^https?://\S+$",
    )

    @classmethod
    def derive(cls, frame: "pl.DataFrame", frames: Mapping[str, "pl.DataFrame"]) -> "pl.DataFrame":
        import polars as pl

        frame = matched(frame, counts(frames, Quote.resource_name, "article_id", "quote_count"), "article_id")
        return frame.with_columns(
            number(pl.col("article_id")).alias("article_number"),
            number(pl.col("seed_file")).alias("seed_number"),
            pl.col("quote_count").fill_null(0).cast(pl.Int64),
        )
