"""Great Expectations suites: the table-level quality rules, declared as data.

Each table's suite is a GX 1.x ExpectationSuite saved as JSON in `datapackage/expectations/`,
versioned with the data it checks. Every expectation's `meta` names the catalogue `code` it
reports and the `field` a failure points at.

Some rules compare a table with another (every article has a quote; an imposer is a
government or a country). GX checks one batch at a time, so `frames()` adds those facts to
each table as derived columns, listed in `DERIVED_COLUMNS`, before the suites run.

The suites see the rows that passed the row model, so they report table-level defects rather
than repeating cell errors. A suite reaches GX only once `allowlist.suite_problems` finds
nothing in it outside the allow-list: a suite from a pull request is data, never code.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from ..engine import LINE
from ..models import MODELS
from ..models.event_actors import ActorRole
from ..package import Layout, ValidTable
from ..problems import Problem, problem
from ..tables import read_json
from .allowlist import named_columns, suite_problems
from .provenance import SPAN_TABLES

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
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
    # A rule about one role names that role's column: suites have no row conditions (allowlist.py).
    "event_actors": {
        "entity_type": "entity_type of entity_id",
        **{
            f"{role}_type": f"entity_type of entity_id where role is {role}, else empty" for role in get_args(ActorRole)
        },
    },
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


def load_suites(layout: Layout, tables: dict[str, ValidTable]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The suite of each loaded table, read from the package's expectations folder.

    A suite with anything outside the allow-list is left out, with one `suite-invalid` per finding.
    """
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
        columns = {*MODELS[table].model_fields, *DERIVED_COLUMNS.get(table, {})}
        found = suite_problems(suite, table, columns)
        if found:
            problems += [problem("suite-invalid", path, None, where or None, detail=why) for where, why in found]
            continue
        suites[table] = suite
    return suites, problems


def frames(tables: dict[str, ValidTable]) -> dict[str, pl.DataFrame]:
    """Each table's valid rows with its derived columns, straight from the engine's typed frames.

    The suites see the values the row checks saw, without a second parse of any file.
    """
    result = {}
    for name, table in tables.items():
        derived = _DERIVERS[name](table.frame, tables) if name in _DERIVERS else table.frame
        result[name] = derived.select(*table.model.model_fields, *DERIVED_COLUMNS.get(name, {}))
    return result


def suite_frame(frame: pl.DataFrame, definition: dict[str, Any]) -> pd.DataFrame:
    """The columns a suite can name, as the pandas frame GX checks (dates as Python dates).

    GX fingerprints every batch by hashing all of it, which at a million rows costs more than
    the checks; a suite sees only the columns whose names occur in its expectations' arguments.
    """
    import pandas as pd

    named = {
        name for expectation in definition["expectations"] for name in named_columns(expectation.get("kwargs", {}))
    }
    narrowed = frame.select(column for column in frame.columns if column in named)
    result = narrowed.to_pandas()
    for column, dtype in narrowed.schema.items():
        if dtype.is_temporal():
            # GX compares dates with the suites' ISO strings as Python dates, not as timestamps.
            result[column] = pd.Series(narrowed.get_column(column).to_list(), dtype=object)
    return result


def _number(ids: pl.Expr) -> pl.Expr:
    """The second `-`/`_`/`/`-separated part of each identifier, e.g. 000 of art-000."""
    return ids.str.extract(r"^[^-_/]*[-_/]([^-_/]*)", 1)


def _lookup(tables: dict[str, ValidTable], key: str, alias: str) -> pl.DataFrame:
    """entity_id -> entity_type, the key renamed to `key`; the last row wins where an id repeats."""
    import polars as pl

    entities = tables.get("entities")
    if entities is None:
        return pl.DataFrame(schema={key: pl.String, alias: pl.String})
    return entities.frame.select(pl.col("entity_id").alias(key), pl.col("entity_type").alias(alias)).unique(
        key, keep="last", maintain_order=True
    )


def _count(tables: dict[str, ValidTable], table: str, key: str, alias: str) -> pl.DataFrame:
    import polars as pl

    counted = tables.get(table)
    if counted is None:
        return pl.DataFrame(schema={key: pl.String, alias: pl.UInt32})
    return counted.frame.group_by(key).agg(pl.len().alias(alias))


def _with(frame: pl.DataFrame, other: pl.DataFrame, key: str) -> pl.DataFrame:
    """`frame` with the columns of `other` matched on `key`, row order kept (failures are positions)."""
    return frame.join(other, on=key, how="left", maintain_order="left")


def _derive_spans(frame: pl.DataFrame, _: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    return frame.with_columns(
        (pl.col("char_end") - pl.col("char_start")).alias("span_length"),
        pl.col("text").str.len_chars().alias("text_length"),
    )


def _derive_articles(frame: pl.DataFrame, tables: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    frame = _with(frame, _count(tables, "quotes", "article_id", "quote_count"), "article_id")
    return frame.with_columns(
        _number(pl.col("article_id")).alias("article_number"),
        _number(pl.col("seed_file")).alias("seed_number"),
        pl.col("quote_count").fill_null(0).cast(pl.Int64),
    )


def _derive_quotes(frame: pl.DataFrame, tables: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    return _derive_spans(frame, tables).with_columns(
        _number(pl.col("quote_id")).alias("quote_article_number"),
        _number(pl.col("article_id")).alias("article_number"),
    )


def _derive_entities(frame: pl.DataFrame, _: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    # str.casefold, which polars lacks (to_lowercase leaves ß and ﬁ as they are).
    folded = [None if name is None else name.casefold() for name in frame.get_column("name").to_list()]
    return frame.with_columns(pl.Series("name_key", folded, dtype=pl.String))


def _derive_event_actors(frame: pl.DataFrame, tables: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    frame = _with(frame, _lookup(tables, "entity_id", "entity_type"), "entity_id")
    return frame.with_columns(
        pl.when(pl.col("role") == role).then(pl.col("entity_type")).alias(f"{role}_type")
        for role in get_args(ActorRole)
    )


def _derive_events(frame: pl.DataFrame, tables: dict[str, ValidTable]) -> pl.DataFrame:
    import polars as pl

    frame = _with(frame, _count(tables, "event_actors", "event_id", "actor_count"), "event_id")
    return frame.with_columns(pl.col("actor_count").fill_null(0).cast(pl.Int64))


def _derive_sanctions(frame: pl.DataFrame, tables: dict[str, ValidTable]) -> pl.DataFrame:
    return _with(frame, _lookup(tables, "imposer_id", "imposer_type"), "imposer_id")


_DERIVERS: dict[str, Callable[[pl.DataFrame, dict[str, ValidTable]], pl.DataFrame]] = {
    **{table: _derive_spans for table in SPAN_TABLES},
    "quotes": _derive_quotes,
    "articles": _derive_articles,
    "entities": _derive_entities,
    "event_actors": _derive_event_actors,
    "events": _derive_events,
    "sanctions": _derive_sanctions,
}


def import_great_expectations() -> None:
    """Import GX (3 s here) with analytics off; safe to call from a thread, and more than once."""
    # GX reads this when it is first imported; it must never phone home from a validator.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch (hashing each cell) unless it holds more bytes than this;
    # nothing reads the fingerprint, and at 1M quotes it cost 0.7 s of the suites' 2.5 s.
    pandas_execution_engine.HASH_THRESHOLD = 0


def ephemeral_context() -> AbstractDataContext:
    """An in-memory GX context: nothing written to disk, no progress bars, no analytics."""
    import_great_expectations()
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
    context: AbstractDataContext, suites: dict[str, dict[str, Any]], data: dict[str, pl.DataFrame]
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
        results = validation.run(
            batch_parameters={"dataframe": suite_frame(data[table], definition)}, result_format="COMPLETE"
        )
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
                        columns=named_columns(config.kwargs),
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
    failures: list[SuiteFailure], data: dict[str, pl.DataFrame], tables: dict[str, ValidTable]
) -> list[Problem]:
    """One problem per failing row, pointing at the CSV line and showing the values the rule compared."""
    problems = []
    for failure in failures:
        table = tables[failure.table]
        if not failure.rows:
            problems.append(
                problem(failure.code, table.path, None, failure.field, rule=failure.notes, detail=failure.observed)
            )
        frame = data[failure.table]
        lines = table.frame.get_column(LINE)
        shown = [failure.field] if failure.field else []
        shown += [column for column in failure.columns if column not in shown]
        for row in failure.rows:
            detail = ", ".join(f"{column}={_shown(frame.item(row, column))}" for column in shown)
            problems.append(
                problem(failure.code, table.path, lines[row], failure.field, rule=failure.notes, detail=detail)
            )
    return problems


def check_expectations(layout: Layout, tables: dict[str, ValidTable]) -> list[Problem]:
    """Run the package's suites on its tables; each failing row is one problem."""
    suites, problems = load_suites(layout, tables)
    if not suites:
        return problems
    data = frames(tables)
    failures, errors = run_suites(ephemeral_context(), suites, data)
    problems += [problem("suite-invalid", layout.expectations(table), detail=detail) for table, detail in errors]
    return problems + failure_problems(failures, data, tables)
