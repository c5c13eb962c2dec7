"""Great Expectations suites: the table-level quality rules, declared as data.

Each table's suite is a GX 1.x ExpectationSuite saved as JSON in `datapackage/expectations/`,
versioned with the data it checks. Every expectation's `meta` names the catalogue `code` it
reports and the `field` a failure points at.

Some rules compare a table with another (every article has a quote; an imposer is a
government or a country). GX checks one batch at a time, so `frames()` adds those facts to
each table as derived columns, listed in `DERIVED_COLUMNS`, before the suites run.

The suites see the rows that passed the row model, so they report table-level defects rather
than repeating cell errors.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..package import Layout, LoadedTable
from ..problems import CATALOGUE, Problem, problem
from ..schemas import table_fields
from ..tables import read_json
from .provenance import SPAN_TABLES

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext

# Derived columns, by table: what each one holds. `frames()` computes them.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    **{
        table: {
            "span_length": "char_end - char_start",
            "text_length": "len(text), in code points",
        }
        for table in SPAN_TABLES
    },
    "articles": {
        "article_number": "NNN of article_id art-NNN",
        "seed_number": "NNN of seed_file seeds/NNN_….txt",
        "quote_count": "number of quotes from the article",
    },
    "entities": {"name_key": "the name, case-folded"},
    "event_actors": {"entity_type": "entity_type of entity_id"},
    "events": {"actor_count": "number of event_actors rows of the event"},
    "sanctions": {"imposer_type": "entity_type of imposer_id"},
}
DERIVED_COLUMNS["quotes"] |= {
    "quote_article_number": "NNN of quote_id q-NNN-SS",
    "article_number": "NNN of article_id art-NNN",
}


@dataclass(frozen=True)
class SuiteFailure:
    """One expectation that failed, with the table rows it failed on (positions into the frame)."""

    table: str
    code: str
    field: str | None
    notes: str
    columns: tuple[str, ...]
    rows: list[int]
    observed: str


def load_suites(layout: Layout, tables: dict[str, LoadedTable]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The suite of each loaded table, read from the package's expectations folder."""
    suites: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for table in tables:
        path = layout.expectations(table)
        if not path.is_file():
            problems.append(problem("suite-missing", path, table=table))
            continue
        suite, read_problems = read_json(path, layout.package_dir, layout.limits, "suite-invalid")
        if read_problems:
            problems += read_problems
            continue
        suite_problems = _suite_problems(suite, table)
        if suite_problems:
            problems += [problem("suite-invalid", path, detail=detail) for detail in suite_problems]
            continue
        suites[table] = suite
    return suites, problems


def _suite_problems(suite: Any, table: str) -> list[str]:
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        return ["expected an object with an `expectations` list"]
    if suite.get("name") != table:
        return [f"suite name is {suite.get('name')!r}, expected {table!r}"]
    details = []
    for index, expectation in enumerate(suite["expectations"]):
        if not isinstance(expectation, dict) or not isinstance(expectation.get("type"), str):
            details.append(f"expectation {index}: expected an object with a `type`")
            continue
        meta = expectation.get("meta") or {}
        code = meta.get("code") if isinstance(meta, dict) else None
        if code is not None and code not in CATALOGUE:
            details.append(f"expectation {index}: meta.code {code!r} is not in the error catalogue")
    return details


def frames(tables: dict[str, LoadedTable]) -> dict[str, pd.DataFrame]:
    """Each table's valid rows as a typed DataFrame (dates as dates), plus its derived columns."""
    import pandas as pd

    result = {}
    for name, loaded in tables.items():
        frame = pd.DataFrame.from_records(loaded.records, columns=[f["name"] for f in table_fields(loaded.model)])
        for field in table_fields(loaded.model):
            if field["type"] == "date":
                frame[field["name"]] = frame[field["name"]].map(_date, na_action="ignore")
        result[name] = frame
    for name, add in _DERIVERS.items():
        if name in result:
            add(result[name], result)
    return result


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _number(ids: pd.Series, position: int) -> pd.Series:
    """The `position`-th `-`/`_`/`/`-separated part of each identifier, e.g. 000 of art-000."""
    return ids.str.split(r"[-_/]", regex=True).str[position]


def _lookup(frames_: dict[str, pd.DataFrame], table: str, key: str, value: str) -> dict[Any, Any]:
    frame = frames_.get(table)
    return {} if frame is None else dict(zip(frame[key], frame[value], strict=True))


def _count(frames_: dict[str, pd.DataFrame], table: str, key: str) -> dict[Any, int]:
    frame = frames_.get(table)
    return {} if frame is None else frame[key].value_counts().to_dict()


def _derive_spans(frame: pd.DataFrame, _: dict[str, pd.DataFrame]) -> None:
    frame["span_length"] = frame["char_end"] - frame["char_start"]
    frame["text_length"] = frame["text"].str.len()


def _derive_articles(frame: pd.DataFrame, frames_: dict[str, pd.DataFrame]) -> None:
    frame["article_number"] = _number(frame["article_id"], 1)
    frame["seed_number"] = _number(frame["seed_file"], 1)
    frame["quote_count"] = frame["article_id"].map(_count(frames_, "quotes", "article_id")).fillna(0).astype(int)


def _derive_quotes(frame: pd.DataFrame, frames_: dict[str, pd.DataFrame]) -> None:
    _derive_spans(frame, frames_)
    frame["quote_article_number"] = _number(frame["quote_id"], 1)
    frame["article_number"] = _number(frame["article_id"], 1)


def _derive_entities(frame: pd.DataFrame, _: dict[str, pd.DataFrame]) -> None:
    frame["name_key"] = frame["name"].str.casefold()


def _derive_event_actors(frame: pd.DataFrame, frames_: dict[str, pd.DataFrame]) -> None:
    frame["entity_type"] = frame["entity_id"].map(_lookup(frames_, "entities", "entity_id", "entity_type"))


def _derive_events(frame: pd.DataFrame, frames_: dict[str, pd.DataFrame]) -> None:
    frame["actor_count"] = frame["event_id"].map(_count(frames_, "event_actors", "event_id")).fillna(0).astype(int)


def _derive_sanctions(frame: pd.DataFrame, frames_: dict[str, pd.DataFrame]) -> None:
    frame["imposer_type"] = frame["imposer_id"].map(_lookup(frames_, "entities", "entity_id", "entity_type"))


_DERIVERS: dict[str, Callable[[pd.DataFrame, dict[str, pd.DataFrame]], None]] = {
    **{table: _derive_spans for table in SPAN_TABLES},
    "quotes": _derive_quotes,
    "articles": _derive_articles,
    "entities": _derive_entities,
    "event_actors": _derive_event_actors,
    "events": _derive_events,
    "sanctions": _derive_sanctions,
}


def ephemeral_context() -> AbstractDataContext:
    """An in-memory GX context: nothing written to disk, no progress bars, no analytics."""
    # GX reads this when it is first imported; it must never phone home from a validator.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(
    context: AbstractDataContext, suites: dict[str, dict[str, Any]], data: dict[str, pd.DataFrame]
) -> tuple[list[SuiteFailure], list[tuple[str, str]]]:
    """Run each suite on its table. Returns the failures, and (table, error) for expectations that raised."""
    import great_expectations as gx

    source = context.data_sources.add_pandas("newsfacts")
    failures: list[SuiteFailure] = []
    errors: list[tuple[str, str]] = []
    for table, definition in suites.items():
        suite, suite_errors = _build_suite(definition)
        errors += [(table, detail) for detail in suite_errors]
        if suite is None:
            continue
        context.suites.add(suite)
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(table)
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch, suite=suite))
        results = validation.run(batch_parameters={"dataframe": data[table]}, result_format="COMPLETE")
        for result in results.results:
            config = result.expectation_config
            if config is None or result.exception_info.get("raised_exception"):
                errors.append((table, f"{config and config.type}: {result.exception_info.get('exception_message')}"))
            elif not result.success:
                meta = config.meta or {}
                failures.append(
                    SuiteFailure(
                        table=table,
                        code=meta.get("code", "expectation-failed"),
                        field=meta.get("field"),
                        notes=meta.get("notes", config.type),
                        columns=_columns(config.kwargs),
                        rows=list(result.result.get("unexpected_index_list") or []),
                        observed=_observed(result.result),
                    )
                )
    return failures, errors


def _build_suite(definition: dict[str, Any]) -> tuple[Any, list[str]]:
    """The suite, or the reasons it cannot be built.

    GX itself logs and skips an expectation it cannot build, which would silently drop a rule;
    here a suite runs whole or not at all.
    """
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations, errors = [], []
    for index, item in enumerate(definition["expectations"]):
        try:
            configuration = ExpectationConfiguration(
                type=item["type"], kwargs=item.get("kwargs", {}), meta=item.get("meta")
            )
            expectations.append(configuration.to_domain_obj())
        except Exception as error:  # GX raises many types for a malformed expectation; all mean the same here
            errors.append(f"expectation {index} ({item.get('type')!r}): {getattr(error, 'message', error)}")
    if errors:
        return None, errors
    return gx.ExpectationSuite(name=definition["name"], expectations=expectations, meta=definition.get("meta")), []


def _columns(kwargs: dict[str, Any]) -> tuple[str, ...]:
    names = [kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B"), *kwargs.get("column_list", [])]
    return tuple(name for name in names if isinstance(name, str))


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return f"observed {_shown(result['observed_value'])}"
    return "unexpected " + ", ".join(_shown(value) for value in (result.get("partial_unexpected_list") or [])[:3])


def _shown(value: Any) -> str:
    """A value as the CSV shows it, cut short: messages must stay one readable line."""
    if isinstance(value, datetime.date):
        value = value.isoformat()
    elif hasattr(value, "item"):  # numpy scalar
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def failure_problems(
    failures: list[SuiteFailure], data: dict[str, pd.DataFrame], tables: dict[str, LoadedTable]
) -> list[Problem]:
    """One problem per failing row, pointing at the CSV line and showing the values the rule compared."""
    problems = []
    for failure in failures:
        loaded = tables[failure.table]
        if not failure.rows:
            problems.append(
                problem(
                    failure.code, loaded.table.path, None, failure.field, rule=failure.notes, detail=failure.observed
                )
            )
        frame = data[failure.table]
        shown = [failure.field] if failure.field else []
        shown += [column for column in failure.columns if column not in shown]
        for row in failure.rows:
            detail = ", ".join(f"{column}={_shown(frame.at[row, column])}" for column in shown)
            problems.append(
                problem(
                    failure.code, loaded.table.path, loaded.lines[row], failure.field, rule=failure.notes, detail=detail
                )
            )
    return problems


def check_expectations(layout: Layout, tables: dict[str, LoadedTable]) -> list[Problem]:
    """Run the package's suites on its tables; each failing row is one problem."""
    suites, problems = load_suites(layout, tables)
    if not suites:
        return problems
    data = frames(tables)
    failures, errors = run_suites(ephemeral_context(), suites, data)
    problems += [problem("suite-invalid", layout.expectations(table), detail=detail) for table, detail in errors]
    return problems + failure_problems(failures, data, tables)
