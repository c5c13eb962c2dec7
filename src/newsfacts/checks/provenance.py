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
    for article_id, seed_file, sha256, line in articles:
        seed_path = layout.seed(seed_file)
        unsafe = unsafe_path_problem(seed_path, layout.seeds_dir)
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


# Rows are compared in slices, so that only one slice at a time exists as Python values.
SLICE_ROWS = 100_000


def check_spans(paths: dict[str, Path], valid: dict[str, pl.DataFrame], seed_texts: dict[str, str]) -> list[Problem]:
    """Each span of the valid rows (the engine's typed tables, see `validate.valid_rows`) against its seed."""
    from ..engine import LINE

    problems: list[Problem] = []
    columns = ["article_id", "text", "char_start", "char_end", LINE]
    for name in SPAN_TABLES:
        data = valid.get(name)
        if data is None:
            continue
        rows = data.select(columns).drop_nulls()
        for part in rows.iter_slices(SLICE_ROWS):
            for article, text, start, end, line in zip(*(part.get_column(c).to_list() for c in columns), strict=True):
                seed = seed_texts.get(article)
                if seed is None:
                    continue  # the foreign-key or seed check reports this
                if end > len(seed) or start >= end:
                    problems.append(
                        problem(
                            "span-out-of-range", paths[name], line, "char_end", start=start, end=end, length=len(seed)
                        )
                    )
                elif seed[start:end] != text:
                    problems.append(
                        problem(
                            "span-mismatch", paths[name], line, "text", start=start, end=end, actual=seed[start:end]
                        )
                    )
    return problems
