"""`newsfacts report`: the expectation suites' results as a static Great Expectations Data Docs site."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import folder_replaceable, replace_folder
from .checks.expectations import ephemeral_context, failure_problems, frames, load_suites, run_suites
from .package import Layout
from .problems import Problem, problem, write_problem

if TYPE_CHECKING:
    from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext

# Written into every site, so that a later report only ever replaces a folder it made itself.
MARKER = ".newsfacts-report"


@dataclass
class ReportResult:
    index: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)


def write_report(layout: Layout, out_dir: Path) -> ReportResult:
    """Run the suites and write their Data Docs to `out_dir`, replacing an earlier report there."""
    try:
        replaceable = folder_replaceable(out_dir, MARKER)
    except OSError as error:  # a name too long, a folder that cannot be searched: it cannot be written either
        return ReportResult(problems=[write_problem(out_dir, error)])
    if not replaceable:
        return ReportResult(problems=[problem("report-target", out_dir, detail=str(out_dir))])
    from .validate import check_rows_and_spans

    # The suites run on valid rows; a report of a package whose rows do not validate would mislead.
    tables, problems = check_rows_and_spans(layout)
    suites, suite_problems = load_suites(layout, tables)
    problems += suite_problems
    if problems:
        return ReportResult(problems=problems)
    context = ephemeral_context()
    data = frames(tables)
    failures, errors = run_suites(context, suites, data)
    if errors:
        return ReportResult(
            problems=[problem("suite-invalid", layout.expectations(table), detail=detail) for table, detail in errors]
        )
    try:
        write_site(context, out_dir)
    except OSError as error:
        return ReportResult(problems=[write_problem(out_dir, error)])
    return ReportResult(index=out_dir / "index.html", failed=failure_problems(failures, data, tables))


def write_site(context: AbstractDataContext, out_dir: Path) -> None:
    """Build the Data Docs in a hidden folder beside `out_dir`, then swap it in."""

    def fill(staging: Path) -> None:
        context.add_data_docs_site(
            "newsfacts",
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(staging)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        context.build_data_docs(site_names=["newsfacts"])

    replace_folder(out_dir, fill, MARKER, "Written by `newsfacts report`; the next report replaces this folder.\n")
