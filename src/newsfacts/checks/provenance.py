"""Provenance: every seed file matches its recorded hash, every span matches its seed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..package import Layout
from ..problems import Problem, problem
from ..tables import unsafe_path_problem

if TYPE_CHECKING:
    import polars as pl

SPAN_TABLES = ("quotes", "event_sources", "sanction_sources", "entity_mentions")


def load_seed_texts(
    layout: Layout, articles_path: Path, articles: Iterable[tuple[str, str, str, int]]
) -> tuple[dict[str, str], list[Problem]]:
    """The decoded text of each article's seed, checked against the recorded sha256.

    `articles` gives (article_id, seed_file, sha256, line) for each valid row of the articles table.
    """
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    seeds_inside = unsafe_path_problem(layout.seeds_dir, layout.root) is None
    for article_id, seed_file, sha256, line in articles:
        seed_path = layout.seed(seed_file)
        # Resolving every path is slow with thousands of seeds: a plain file right in seeds/ is inside it.
        plain = seed_path.parent == layout.seeds_dir and not seed_path.is_symlink() and seeds_inside
        unsafe = None if plain else unsafe_path_problem(seed_path, layout.seeds_dir)
        if unsafe:
            problems.append(unsafe)
            continue
        try:
            raw = seed_path.read_bytes()
        except OSError:
            problems.append(problem("seed-missing", articles_path, line, "seed_file", detail=seed_file))
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            problems.append(
                problem(
                    "seed-hash-mismatch",
                    articles_path,
                    line,
                    "sha256",
                    detail=seed_file,
                    actual=actual,
                )
            )
        try:
            texts[article_id] = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(problem("encoding-error", seed_path, detail=str(error)))
    return texts, problems


def check_spans(paths: dict[str, Path], valid: dict[str, pl.DataFrame], seed_texts: dict[str, str]) -> list[Problem]:
    """Each span of the valid rows (the engine's typed tables, see `validate.valid_rows`) against its seed.

    A vectorised join and slice: offsets count code points, as polars' `str.slice` does.
    """
    import polars as pl

    from ..engine import LINE

    seeds = pl.DataFrame(
        {"article_id": list(seed_texts), "seed": list(seed_texts.values())},
        schema={"article_id": pl.String, "seed": pl.String},
    ).with_columns(pl.col("seed").str.len_chars().alias("seed_length"))
    start, end = pl.col("char_start"), pl.col("char_end")
    outside = (end > pl.col("seed_length")) | (start >= end)
    problems: list[Problem] = []
    for name in SPAN_TABLES:
        data = valid.get(name)
        if data is None:
            continue
        # An article without a seed is reported by the foreign-key or the seed check: the inner join drops it.
        rows = data.select("article_id", "text", start, end, LINE).drop_nulls().join(seeds, on="article_id")
        flagged = rows.select(
            LINE,
            start,
            end,
            "seed_length",
            outside.alias("outside"),
            pl.col("seed").str.slice(start, end - start).alias("actual"),
            pl.col("text"),
        ).filter(pl.col("outside") | (pl.col("actual") != pl.col("text")))
        for line, first, last, length, out, actual, _ in flagged.iter_rows():
            if out:
                problems.append(
                    problem("span-out-of-range", paths[name], line, "char_end", start=first, end=last, length=length)
                )
            else:
                problems.append(
                    problem("span-mismatch", paths[name], line, "text", start=first, end=last, actual=actual)
                )
    return problems
