"""Generate Frictionless Table Schemas and JSON Schemas from the table models.

Both are derived from pydantic's JSON Schema of the model, so the model stays the only
place where a field's type, constraints and description are written down.
"""

from __future__ import annotations

from typing import Any

from .cells import from_json_schema
from .models import Row
from .tables import LABEL_FIELD

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
GENERATED_NOTE = "Generated from the pydantic models in src/newsfacts/models/ by `newsfacts build`; do not edit."

# The Table Schema constraint that corresponds to each JSON Schema keyword.
_CONSTRAINTS = {
    "pattern": "pattern",
    "minLength": "minLength",
    "maxLength": "maxLength",
    "minimum": "minimum",
    "maximum": "maximum",
    "enum": "enum",
}


def _property_parts(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Return the non-null branch of a property and whether the property admits null."""
    branches = prop.get("anyOf")
    if branches is None:
        return prop, False
    non_null = [branch for branch in branches if branch.get("type") != "null"]
    if len(non_null) != 1:
        raise ValueError(f"unsupported union in property {prop!r}")
    return non_null[0], True


def table_fields(model: type[Row]) -> list[dict[str, Any]]:
    """The Table Schema `fields` of a model, in column order."""
    json_schema = model.model_json_schema()
    required = set(json_schema.get("required", []))
    fields = []
    for name, prop in json_schema["properties"].items():
        branch, nullable = _property_parts(prop)
        constraints: dict[str, Any] = {}
        if name in required and not nullable:
            constraints["required"] = True
        if prop.get("unique") or branch.get("unique"):
            constraints["unique"] = True
        for json_keyword, constraint in _CONSTRAINTS.items():
            if json_keyword in branch:
                constraints[constraint] = branch[json_keyword]
        kind = from_json_schema(branch)
        field: dict[str, Any] = {"name": name, "type": kind.name}
        if kind.format is not None:
            field["format"] = kind.format
        field["description"] = prop["description"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return fields


def table_schema(model: type[Row]) -> dict[str, Any]:
    """A Frictionless Table Schema (v2) for one table."""
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": table_fields(model),
        "missingValues": [""],
        "primaryKey": list(model.primary_key),
    }
    if model.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(fk.fields),
                "reference": {
                    # An empty resource name is how Table Schema spells a self-reference.
                    "resource": "" if fk.resource == model.resource_name else fk.resource,
                    "fields": list(fk.reference),
                },
            }
            for fk in model.foreign_keys
        ]
    if model.label_field is not None:
        if model.label_field not in model.model_fields:
            raise ValueError(f"{model.__name__}.label_field {model.label_field!r} is not one of its fields")
        schema[LABEL_FIELD] = model.label_field
    return schema


def _plain_property(prop: dict[str, Any]) -> dict[str, Any]:
    """Drop what is not plain JSON Schema: `unique` (a Table Schema constraint), pydantic's
    generated `title` and the `default` (every key is written, so no default applies)."""
    drop = {"unique", "title", "default"}
    plain = {key: value for key, value in prop.items() if key not in drop}
    if "anyOf" in plain:
        plain["anyOf"] = [{k: v for k, v in branch.items() if k not in drop} for branch in plain["anyOf"]]
    return plain


def json_schema(model: type[Row]) -> dict[str, Any]:
    """A JSON Schema for the JSON export of a table: an array of records."""
    record = model.model_json_schema()
    record.pop("title", None)
    record["properties"] = {name: _plain_property(prop) for name, prop in record["properties"].items()}
    # Every key is written, with null for a missing value, so every key is required.
    record["required"] = list(record["properties"])
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$comment": GENERATED_NOTE,
        "title": model.table_title,
        "description": model.__doc__,
        "type": "array",
        "items": record,
    }
