"""Provenance: every seed file matches its recorded hash, every span matches its seed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..locate import exact_matches
from ..models import Article
from ..package import Layout, TypedTable
from ..problems import Problem, codes, problem
from ..quotations import Quotation, quotations, uncovered
from ..tables import CONTROL_CHARACTERS, LINE, decode_text, open_regular, read_at_most, unsafe_path_problem
from . import check

if TYPE_CHECKING:
    import polars as pl

BOM = b"\xef\xbb\xbf"


def _plain_seed_files(layout: Layout) -> set[str]:
    """The `seed_file` values (`seeds/NAME`) of regular files right in seeds/, which are safe to read.

    One listing of the directory: resolving each of thousands of seed paths would take seconds.
    """
    seeds_dir = layout.seeds_dir
    if unsafe_path_problem(seeds_dir, layout.package_dir) is not None:
        return set()
    try:
        with os.scandir(seeds_dir) as entries:
            return {f"{seeds_dir.name}/{entry.name}" for entry in entries if entry.is_file(follow_symlinks=False)}
    except OSError:
        return set()


def _read_seeds(
    layout: Layout, articles_path: Path, articles: Iterable[tuple[str, str, str, int]]
) -> tuple[list[tuple[str, str, bytes]], list[Problem]]:
    """The bytes of each article's seed (with its article_id and seed_file), checked against the recorded sha256."""
    plain = _plain_seed_files(layout)
    root = str(layout.package_dir)
    found: list[tuple[str, str, bytes]] = []
    problems: list[Problem] = []
    for article_id, seed_file, sha256, line in articles:
        if seed_file not in plain:
            unsafe = unsafe_path_problem(layout.seed(seed_file), layout.seeds_dir)
            if unsafe:
                problems.append(unsafe)
                continue
        try:
            # `layout.seed(seed_file)` as a plain string: a Path per seed costs 0.15 s per 10k seeds.
            with open_regular(os.path.join(root, seed_file)) as handle:
                raw = read_at_most(handle, layout.limits.max_file_bytes)
        except OSError:
            problems.append(problem("seed-missing", articles_path, line, "seed_file", detail=seed_file))
            continue
        if len(raw) > layout.limits.max_file_bytes:
            problems.append(
                problem("file-too-large", layout.seed(seed_file), size=len(raw), limit=layout.limits.max_file_bytes)
            )
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            problems.append(
                problem("seed-hash-mismatch", articles_path, line, "sha256", detail=seed_file, actual=actual)
            )
        found.append((article_id, seed_file, raw))
    return found, problems


def load_seed_texts(
    layout: Layout, articles_path: Path, articles: Iterable[tuple[str, str, str, int]]
) -> tuple[pl.DataFrame, list[Problem]]:
    """The decoded text of each article's seed (columns article_id and seed), checked against the recorded sha256.

    `articles` gives (article_id, seed_file, sha256, line) for each valid row of the articles table.
    """
    import polars as pl

    seeds, problems = _read_seeds(layout, articles_path, articles)
    ids = [article_id for article_id, _, _ in seeds]
    raws = pl.Series("seed", [raw for _, _, raw in seeds], dtype=pl.Binary)
    try:
        texts = raws.cast(pl.String)
    except pl.exceptions.ComputeError:
        # Some seed is not UTF-8: decode each to say which and where.
        decoded: list[str | None] = []
        for _, seed_file, raw in seeds:
            try:
                decoded.append(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                decoded.append(None)
                problems.append(problem("encoding-error", layout.seed(seed_file), detail=str(error)))
        texts = pl.Series("seed", decoded, dtype=pl.String)
    # What `load()` refuses in a seed (`tables.decode_text`): a BOM, a control character. Reported here, so that
    # a package `validate` passes is one `load()` reads; only the seeds flagged are decoded again, to say where.
    refused = texts.str.contains(CONTROL_CHARACTERS.pattern).fill_null(False) | raws.bin.starts_with(BOM)
    for index in refused.arg_true():
        _, seed_file, raw = seeds[index]
        problems += decode_text(raw, layout.seed(seed_file))[1]
    frame = pl.DataFrame({"article_id": pl.Series(ids, dtype=pl.String), "seed": texts})
    # A repeated article_id (a unique-error already) keeps its last seed.
    return frame.drop_nulls("seed").unique("article_id", keep="last", maintain_order=True), problems


@check(
    "provenance",
    "rows",
    codes("provenance") | {"unsafe-path", "file-too-large", "encoding-error", "bom", "control-character"},
)
def check_provenance(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every valid article's seed against its recorded sha256, and every verbatim span against its seed."""
    articles = tables.get(Article.resource_name)
    seed_rows = articles.frame.select("article_id", "seed_file", "sha256", LINE).iter_rows() if articles else []
    seeds, problems = load_seed_texts(layout, layout.csv(Article.resource_name), seed_rows)
    return problems + check_spans(tables, seeds)


def check_spans(tables: dict[str, TypedTable], seeds: pl.DataFrame) -> list[Problem]:
    """Each verbatim span of the valid rows (`Row.verbatim_fields`) against its seed.

    `seeds` has the columns article_id and seed (`load_seed_texts`). A vectorised join and slice,
    one query per field: offsets count code points, as polars' `str.slice` does.
    """
    import polars as pl

    seeds = seeds.select("article_id", "seed", pl.col("seed").str.len_chars().alias("seed_length"))
    start, end = pl.col("char_start"), pl.col("char_end")
    outside = (end > pl.col("seed_length")) | (start >= end)
    spans = [(table, field) for table in tables.values() for field in table.model.verbatim_fields]
    queries = [
        # An article without a seed is reported by the foreign-key or the seed check: the inner join drops it.
        table.frame.lazy()
        .select("article_id", pl.col(field).alias("text"), start, end, LINE)
        .drop_nulls()
        .join(seeds.lazy(), on="article_id")
        .select(
            LINE,
            "article_id",
            start,
            end,
            "seed_length",
            outside.alias("outside"),
            # A span that ends before it starts is `outside`; its slice must still be computable.
            pl.col("seed").str.slice(start, (end - start).clip(lower_bound=0)).alias("actual"),
            pl.col("text"),
        )
        .filter(pl.col("outside") | (pl.col("actual") != pl.col("text")))
        for table, field in spans
    ]
    problems: list[Problem] = []
    # One table at a time, streamed: the slices of every span at once cost hundreds of MB.
    for (table, field), flagged in zip(spans, (query.collect(engine="streaming") for query in queries), strict=True):
        # The seeds of the mismatched spans only, as Python strings, to say where each differs.
        mismatched = flagged.filter(~pl.col("outside")).get_column("article_id").unique()
        seeds_by_id = dict(
            seeds.filter(pl.col("article_id").is_in(mismatched.implode())).select("article_id", "seed").iter_rows()
        )
        for line, article, first, last, length, out, actual, text in flagged.iter_rows():
            if out:
                problems.append(
                    problem("span-out-of-range", table.path, line, "char_end", start=first, end=last, length=length)
                )
            else:
                detail = span_difference(seeds_by_id[article], first, actual, text)
                problems.append(problem("span-mismatch", table.path, line, field, start=first, end=last, detail=detail))
    return problems


# A span-mismatch lists at most this many places where the row's text does occur.
MAX_OCCURRENCES = 3
CONTEXT = 12  # characters of the seed shown on each side of the first difference


def _character(char: str) -> str:
    return f"{char!r} U+{ord(char):04X}"


def span_difference(seed: str, start: int, actual: str, text: str) -> str:
    """Where a row's text first differs from the seed's span at `start` (`actual`), both characters
    with their code points, and where the text does occur in the seed, if anywhere: a curly quote
    typed straight, or offsets off by one, then show at a glance."""
    index = next((i for i, (a, b) in enumerate(zip(actual, text, strict=False)) if a != b), min(len(actual), len(text)))
    seed_char = _character(actual[index]) if index < len(actual) else "the span's end"
    text_char = _character(text[index]) if index < len(text) else "the text's end"
    at = start + index
    context = seed[max(0, at - CONTEXT) : at + CONTEXT + 1].replace("\n", " ")
    detail = (
        f"first difference at offset {at} of the seed, character {index} of the text: "
        f"the seed has {seed_char} where the row has {text_char} (seed: {context!r})"
    )
    occurrences = exact_matches(seed, text)
    if occurrences:
        shown = ", ".join(f"[{m.char_start}, {m.char_end})" for m in occurrences[:MAX_OCCURRENCES])
        more = f" and {len(occurrences) - MAX_OCCURRENCES} more" if len(occurrences) > MAX_OCCURRENCES else ""
        detail += f"; the text occurs at {shown}{more}"
    return detail


def article_seeds(layout: Layout, tables: dict[str, TypedTable]) -> dict[str, str]:
    """The text of each valid article's seed, by article_id. The seeds' own problems (missing,
    changed) are the provenance check's to report."""
    articles = tables.get(Article.resource_name)
    if articles is None:
        return {}
    seed_rows = articles.frame.select("article_id", "seed_file", "sha256", LINE).iter_rows()
    seeds, _ = load_seed_texts(layout, layout.csv(Article.resource_name), seed_rows)
    return dict(seeds.iter_rows())


def uncovered_quotations(
    layout: Layout, tables: dict[str, TypedTable], texts: dict[str, str] | None = None
) -> list[tuple[str, Path, Quotation, int]]:
    """(article_id, seed path, quotation, seed line) of each quotation of each seed (the rule of
    newsfacts.quotations) that no row of a table accounting for quotations overlaps: a quote, or
    a non-quote with its reason; none until those tables' rows are all valid. `texts` are the seeds
    (`article_seeds`), when the caller has read them already."""
    import polars as pl

    accounting = [table for table in tables.values() if table.model.accounts_for_quotations]
    articles = tables.get(Article.resource_name)
    if articles is None or not all(table.complete for table in accounting):
        return []
    spans = (
        pl.concat(
            [table.frame.select("article_id", "char_start", "char_end") for table in accounting],
            how="vertical",
        )
        if accounting
        else pl.DataFrame(schema={"article_id": pl.String, "char_start": pl.Int64, "char_end": pl.Int64})
    )
    by_article = spans.group_by("article_id").agg("char_start", "char_end")
    rows = {article_id: list(zip(starts, ends, strict=True)) for article_id, starts, ends in by_article.iter_rows()}
    seed_files = dict(articles.frame.select("article_id", "seed_file").iter_rows())
    return [
        (article_id, layout.seed(seed_files[article_id]), quotation, text.count("\n", 0, quotation.start) + 1)
        for article_id, text in (article_seeds(layout, tables) if texts is None else texts).items()
        for quotation in uncovered(quotations(text), rows.get(article_id, []))
    ]


@check("quotation-coverage", "tables", {"quote-uncovered"})
def check_quotation_coverage(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every quotation of every seed is covered (`uncovered_quotations`).

    Left until the rows of the tables that account for quotations are all valid: a row in error
    would leave its quotation uncovered, and only repeat that row's problem.
    """
    return [
        problem(
            "quote-uncovered",
            seed_path,
            line,
            article=article_id,
            text=quotation.text,
            start=quotation.start,
            end=quotation.end,
        )
        for article_id, seed_path, quotation, line in uncovered_quotations(layout, tables)
    ]
