"""The table facts the models declare, which the checks, the suites and the dictionary read."""

from __future__ import annotations

from typing import Literal, get_args, get_origin

import pytest

from newsfacts.models import MODELS, TABLES, ForeignKey, Row


@pytest.mark.parametrize(
    "model", [model for model in TABLES if model.verbatim_fields], ids=lambda model: model.__name__
)
def test_a_verbatim_field_has_its_article_and_offsets(model: type[Row]) -> None:
    assert {"article_id", "char_start", "char_end", *model.verbatim_fields} <= set(model.model_fields)


@pytest.mark.parametrize("model", [model for model in TABLES if model.sources], ids=lambda model: model.__name__)
def test_a_sources_table_refers_back_on_its_key(model: type[Row]) -> None:
    assert model.sources is not None
    key = (model.sources.key,)
    assert ForeignKey(key, model.resource_name, key) in MODELS[model.sources.table].foreign_keys


@pytest.mark.parametrize("model", [model for model in TABLES if model.vocabularies], ids=lambda model: model.__name__)
def test_a_vocabulary_explains_every_value_of_its_field(model: type[Row]) -> None:
    for vocabulary in model.vocabularies:
        annotation = model.model_fields[vocabulary.field].annotation
        if get_origin(annotation) is not Literal:  # an optional field: Literal[...] | None
            (annotation,) = [arg for arg in get_args(annotation) if arg is not type(None)]
        assert tuple(vocabulary.terms) == get_args(annotation)


def test_derived_columns_do_not_shadow_fields() -> None:
    assert {model.__name__: set(model.derived_columns) & set(model.model_fields) for model in TABLES} == {
        model.__name__: set() for model in TABLES
    }


def test_a_label_field_is_a_text_field_of_its_model() -> None:
    labelled = {model.resource_name: model.label_field for model in TABLES if model.label_field}
    assert labelled == {"entities": "name", "articles": "title"}
    for table, field in labelled.items():
        annotation = MODELS[table].model_fields[field].annotation
        assert str in (annotation, *get_args(annotation)), (table, field)
