"""The data dictionary (datapackage/README.md), generated from the models' descriptions."""

from __future__ import annotations

from typing import Any

from .models import TABLES, Row
from .models.plover import PLOVER_BY_EVENT_TYPE, PLOVER_SOURCE
from .schemas import table_fields

HEADER = "<!-- Generated from src/newsfacts/models/ by `newsfacts build`; do not edit. -->\n"

CONFLICTS = """## Finding conflicting accounts

Where outlets disagree (for example on the day a third outlet published a report), the
dataset keeps one event per account and never merges them. Each such event has its own
rows in `event_sources`, so every account stays tied to the article that gives it, and one
row of `event_relations` with `relation_type` `conflicting_account` links the two accounts.
A symmetric relation is written once, with the smaller `event_id` first, so each pair is one
row. To list the pairs with the articles that give each side, join:

```sql
SELECT r.event_id, a.article_id AS article, r.related_event_id, b.article_id AS related_article, r.note
FROM event_relations AS r
JOIN event_sources AS a ON a.event_id = r.event_id
JOIN event_sources AS b ON b.event_id = r.related_event_id
WHERE r.relation_type = 'conflicting_account'
```

In pandas, with the tables of `newsfacts.load()`:

```python
relations = tables["event_relations"]
conflicts = relations[relations["relation_type"] == "conflicting_account"]
```

`same_statement` rows link, likewise, two events that report the same words but are not shown
to be one occasion; `reports`, `denies`, `responds_to`, `follows` and `part_of` rows say how
the other events hang together.
"""


def plover_mapping() -> str:
    """How the dataset's event types map to PLOVER, from `PLOVER_BY_EVENT_TYPE`."""
    lines = [
        "## Event coding (PLOVER)",
        "",
        f"Each event is also coded in PLOVER ({PLOVER_SOURCE}), the event ontology of the POLECAT",
        "dataset: `plover_category` and `plover_mode`, or `plover_uncoded_reason` where PLOVER would",
        "not code the event. `event_type` says what kind of happening an event is; PLOVER says how one",
        "actor acts on another, so one event type maps to several categories. The mapping, with the",
        "rule that decides (the full rules, each with an example, are in `docs/codebook.md`):",
        "",
        "| event_type | PLOVER category, or reason for none | rule |",
        "|---|---|---|",
    ]
    for event_type, (codes, rule) in PLOVER_BY_EVENT_TYPE.items():
        lines.append(f"| `{event_type}` | {', '.join(f'`{code}`' for code in codes)} | {rule} |")
    return "\n".join(lines) + "\n"


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
        description = field["description"].replace("|", "\\|")
        lines.append(
            f"| `{field['name']}` | {field['type']} | {required} | {_constraints_text(field)} | {description} |"
        )
    for vocabulary in model.vocabularies:
        lines += ["", f"### {vocabulary.title}", "", f"| {vocabulary.field} | meaning |", "|---|---|"]
        lines += [f"| `{term}` | {meaning} |" for term, meaning in vocabulary.terms.items()]
    return "\n".join(lines) + "\n"


def counts_table(counts: dict[str, int]) -> str:
    lines = ["| table | rows | what it holds |", "|---|---:|---|"]
    for model in TABLES:
        lines.append(f"| `{model.resource_name}` | {counts.get(model.resource_name, 0)} | {model.summary()} |")
    return "\n".join(lines) + "\n"


def render(metadata: dict[str, Any], counts: dict[str, int]) -> str:
    package = metadata["package"]
    parts = [
        HEADER,
        f"# Data dictionary: {package['title']} (version {package['version']})",
        "",
        "Empty cells are missing values (null in the JSON files). Dates are ISO 8601 (`YYYY-MM-DD`). "
        "Offsets (`char_start`, `char_end`) count Unicode code points into the seed text, half-open: "
        "`seed_text[char_start:char_end] == text` in Python.",
        "",
        counts_table(counts),
    ]
    parts += [_table_section(model, counts.get(model.resource_name, 0)) for model in TABLES]
    parts += [CONFLICTS, plover_mapping()]
    return "\n".join(parts)
