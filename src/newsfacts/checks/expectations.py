"""Great Expectations suites: the table-level quality rules, declared as data.

Each table's suite is a GX 1.x ExpectationSuite saved as JSON in `datapackage/expectations/`,
versioned with the data it checks. Every expectation's `meta` names the catalogue `code` it
reports and the `field` a failure points at.

Some rules compare a table with another (every article has a quote; an imposer is a
government or a country). GX checks one batch at a time, so `frames()` adds those facts to
each table as derived columns, which each model declares and computes (`Row.derived_columns`,
`Row.derive`), before the suites run.

The suites see the rows that passed the row model, so they report table-level defects rather
than repeating cell errors. A suite reaches GX only once `allowlist.suite_problems` finds
nothing in it outside the allow-list: a suite from a pull request is data, never code.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import TABLES
from ..package import Layout, TypedTable
from ..problems import Problem, codes, problem
from ..tables import LINE, read_json
from . import FILE_CODES, check
from .allowlist import named_columns, suite_problems

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext

# Derived columns, by table: what each one holds. Each model declares its own (`Row.derived_columns`).
DERIVED_COLUMNS: dict[str, Mapping[str, str]] = {model.resource_name: model.derived_columns for model in TABLES}


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


def load_suites(layout: Layout, tables: dict[str, TypedTable]) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
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
        model = tables[table].model
        columns = {*model.model_fields, *model.derived_columns}
        found = suite_problems(suite, table, columns)
        if found:
            problems += [problem("suite-invalid", path, None, where or None, detail=why) for where, why in found]
            continue
        suites[table] = suite
    return suites, problems


def frames(tables: dict[str, TypedTable]) -> dict[str, pl.DataFrame]:
    """Each table's valid rows with its derived columns (`Row.derive`), straight from the engine's typed frames.

    The suites see the values the row checks saw, without a second parse of any file.
    """
    valid = {name: table.frame for name, table in tables.items()}
    return {
        name: table.model.derive(table.frame, valid).select(*table.model.model_fields, *table.model.derived_columns)
        for name, table in tables.items()
    }


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
    failures: list[SuiteFailure], data: dict[str, pl.DataFrame], tables: dict[str, TypedTable]
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


@check("expectations", "tables", FILE_CODES | codes("suite", "rule"))
def check_expectations(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Run the package's suites on its tables; each failing row is one problem."""
    suites, problems = load_suites(layout, tables)
    if not suites:
        return problems
    data = frames(tables)
    failures, errors = run_suites(ephemeral_context(), suites, data)
    problems += [problem("suite-invalid", layout.expectations(table), detail=detail) for table, detail in errors]
    return problems + failure_problems(failures, data, tables)
