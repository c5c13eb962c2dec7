"""Provenance: every seed file matches its recorded hash, every span matches its seed."""

from __future__ import annotations

import hashlib

from ..package import Layout, LoadedTable
from ..problems import Problem, problem
from ..tables import unsafe_path_problem

SPAN_TABLES = ("quotes", "event_sources", "sanction_sources", "entity_mentions")


def load_seed_texts(layout: Layout, tables: dict[str, LoadedTable]) -> tuple[dict[str, str], list[Problem]]:
    """The decoded text of each article's seed, checked against the recorded sha256."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    articles = tables.get("articles")
    if articles is None:
        return texts, problems
    for record, line in zip(articles.records, articles.lines, strict=True):
        seed_path = layout.seed(record["seed_file"])
        unsafe = unsafe_path_problem(seed_path, layout.seeds_dir)
        if unsafe:
            problems.append(unsafe)
            continue
        try:
            raw = seed_path.read_bytes()
        except OSError:
            problems.append(problem("seed-missing", articles.table.path, line, "seed_file", detail=record["seed_file"]))
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if actual != record["sha256"]:
            problems.append(
                problem(
                    "seed-hash-mismatch",
                    articles.table.path,
                    line,
                    "sha256",
                    detail=record["seed_file"],
                    actual=actual,
                )
            )
        try:
            texts[record["article_id"]] = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(problem("encoding-error", seed_path, detail=str(error)))
    return texts, problems


def check_spans(tables: dict[str, LoadedTable], seed_texts: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for name in SPAN_TABLES:
        loaded = tables.get(name)
        if loaded is None:
            continue
        for record, line in zip(loaded.records, loaded.lines, strict=True):
            seed = seed_texts.get(record["article_id"])
            if seed is None:
                continue  # the foreign-key or seed check reports this
            start, end = record["char_start"], record["char_end"]
            if end > len(seed) or start >= end:
                problems.append(
                    problem(
                        "span-out-of-range",
                        loaded.table.path,
                        line,
                        "char_end",
                        start=start,
                        end=end,
                        length=len(seed),
                    )
                )
            elif seed[start:end] != record["text"]:
                problems.append(
                    problem(
                        "span-mismatch",
                        loaded.table.path,
                        line,
                        "text",
                        start=start,
                        end=end,
                        actual=seed[start:end],
                    )
                )
    return problems
