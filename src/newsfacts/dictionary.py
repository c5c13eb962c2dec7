"""The data dictionary (datapackage/README.md), generated from the models' descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .markdown import data_cell, table_cell
from .models import TABLES, Row
from .schemas import table_fields

if TYPE_CHECKING:
    import polars as pl

HEADER = (
    "<!-- Generated from src/newsfacts/models/, metadata.toml and the project README by `newsfacts build`; "
    "do not edit. -->\n"
)


def _constraints_text(field: dict[str, Any]) -> str:
    constraints = dict(field.get("constraints", {}))
    constraints.pop("required", None)
    parts = []
    if constraints.pop("unique", False):
        parts.append("unique")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{value}`" for value in constraints.pop("enum")))
    for name, value in constraints.items():
        parts.append(f"{name} `{value}`")
    return "; ".join(parts)


def _table_section(model: type[Row], count: int) -> str:
    lines = [
        f"## `{model.resource_name}`: {model.table_title}",
        "",
        model.summary(),
        "",
        f"File: `data/{model.resource_name}.csv` (and `.json`). Rows: {count}. "
        f"Primary key: `{', '.join(model.primary_key)}`.",
    ]
    for fk in model.foreign_keys:
        lines.append(f"Foreign key: `{', '.join(fk.fields)}` → `{fk.resource}.{', '.join(fk.reference)}`.")
    lines += ["", "| field | type | required | constraints | description |", "|---|---|---|---|---|"]
    for field in table_fields(model):
        required = "yes" if field.get("constraints", {}).get("required") else ""
        description = table_cell(field["description"])
        lines.append(
            f"| `{field['name']}` | {field['type']} | {required} | {_constraints_text(field)} | {description} |"
        )
    for vocabulary in model.vocabularies:
        lines += ["", f"### {vocabulary.title}", "", f"| {vocabulary.field} | meaning |", "|---|---|"]
        lines += [f"| `{term}` | {meaning} |" for term, meaning in vocabulary.terms.items()]
    for section in model.dictionary_sections:
        lines += ["", section.rstrip("\n")]
    return "\n".join(lines) + "\n"


def counts_table(counts: dict[str, int]) -> str:
    lines = ["| table | rows | what it holds |", "|---|---:|---|"]
    for model in TABLES:
        lines.append(f"| `{model.resource_name}` | {counts.get(model.resource_name, 0)} | {model.summary()} |")
    return "\n".join(lines) + "\n"


def sources_table(articles: pl.DataFrame, entities: pl.DataFrame, folder: str = "") -> str:
    """The seeds, one row per article: its headline, outlet and date as the articles table gives them.
    Each seed is linked from a document in FOLDER's parent (`datapackage/` for the project's README)."""
    names = dict(entities.select("entity_id", "name").iter_rows())
    lines = ["| article | seed | headline | outlet | published |", "|---|---|---|---|---|"]
    for row in articles.sort("article_id").iter_rows(named=True):
        outlet = names.get(row["outlet_id"], "not known") if row["outlet_id"] else "not known"
        published = str(row["published_date"]) if row["published_date"] else "not known"
        seed = f"[`{row['seed_file']}`]({folder}{row['seed_file']})"
        title = data_cell(row["title"] or "(none printed)")
        outlet = data_cell(outlet) + _inferred(row["outlet_basis"])
        published += _inferred(row["published_date_basis"])
        lines.append(f"| `{row['article_id']}` | {seed} | {title} | {outlet} | {published} |")
    return "\n".join(lines) + "\n"


def _inferred(basis: str | None) -> str:
    return " (inferred)" if basis == "inferred" else ""


def license_section(package: dict[str, Any]) -> str:
    """How the package may be used, from its licenses, and what no license covers: the seed texts."""
    licenses = ", ".join(f"[{item.get('title') or item['name']}]({item['path']})" for item in package["licenses"])
    return (
        "## License and citation\n\n"
        f"The tables, this dictionary and `datapackage.json` are released under {licenses}. "
        "**The seed texts in `seeds/` remain the copyright of their publishers** (the contributors with the "
        "role `rightsHolder` in `datapackage.json`): they are included only so that every span can be "
        "verified, and no license here covers them. Cite the dataset with `CITATION.cff`.\n"
    )


def render(
    metadata: dict[str, Any], counts: dict[str, int], sources: str | None = None, prepared: str | None = None
) -> str:
    """The data dictionary: what each table holds and each field means, with the SOURCES table and the
    project's account of how the data was PREPARED where the project has them (a release carries this file)."""
    package = metadata["package"]
    parts = [
        HEADER,
        f"# Data dictionary: {package['title']} (version {package['version']})",
        "",
        package["description"],
        "",
        "Empty cells are missing values (null in the JSON files). Dates are ISO 8601 (`YYYY-MM-DD`). "
        "Offsets (`char_start`, `char_end`) count Unicode code points into the seed text, half-open: "
        "`seed_text[char_start:char_end] == text` in Python.",
        "",
        counts_table(counts),
    ]
    if sources:
        parts += ["## Sources", "", sources]
    if prepared:
        parts += ["## How the data was prepared", "", prepared.strip("\n") + "\n"]
    if package.get("licenses"):
        parts.append(license_section(package))
    parts += [_table_section(model, counts.get(model.resource_name, 0)) for model in TABLES]
    return "\n".join(parts)
