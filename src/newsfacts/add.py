"""`newsfacts add`: new rows from what a contributor reads in the seed, never from offsets or ids typed by hand.

A `Request` names a kind of row (`quote`, `mention`, the models' `row_name`) and its cells. A span
is given by its verbatim text and found in the article's seed on word boundaries ("Iran" is not
found inside "Iranian"); a text found more than once is told apart by `occurrence` or `context`.
A numbered id left out is the next free one (`Row.next_key`), and `add article` stores the seed
under the next article number with its sha256.

The requests of one call are applied together or not at all. The package is rebuilt with them in
memory (`build.generate`, the one writer), checked in a scratch copy by `validate` (every check but
the releases', which a new row cannot break), and written only when the new rows bring no problem the
package did not have, through the same atomic write as `build`: the files are left exactly as `build`
leaves them.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .build import generate
from .engine import RawTable
from .locate import Match, exact_matches, nearest_match, word_character, word_matches
from .models import MODELS, TABLES, Article, Evidence, Row
from .models._base import SEED_FILE as SEED_FILE_PATTERN
from .package import Layout, read_tables
from .problems import Problem, did_you_mean, display_path, in_order, problem
from .tables import CONTROL_CHARACTERS, LINE, decode_text, read_bytes, read_regular, read_text

# Every kind of row a contributor can add, by the name `newsfacts add` gives it.
KINDS: dict[str, type[Row]] = {model.row_name: model for model in TABLES}
# The cells of a span that `add` finds itself: a contributor gives the text, never its offsets.
OFFSETS = ("char_start", "char_end")
# What a new row lacks until later rows refer to it (an event's sources and actors, an entity's
# mentions, an article's quotes): `add` lists these as still to do, never refuses them, since the rows
# that resolve them need this one to exist first.
AWAITING_REFERENCES = frozenset(
    {
        "source-missing",
        "entity-unreferenced",
        "alias-unattested",
        "article-without-quote",
        "event-without-actor",
        "quote-uncovered",
    }
)
MAX_PLACES = 5  # occurrences listed in a message, so that a word found 80 times stays one line
# What a command line that is not UTF-8 becomes in Python (surrogateescape): no text a file can hold.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def found_fields(model: type[Row]) -> tuple[str, ...]:
    """The cells `add` always fills in itself: a span's offsets, an article's id, seed file and hash."""
    if model is Article:
        return ("article_id", "seed_file", "sha256")
    return OFFSETS if issubclass(model, Evidence) else ()


@dataclass(frozen=True)
class Request:
    """One row to add: its kind, its cells as the contributor wrote them, and how to find its span.

    `path` and `line` say where the request was written (a batch file); problems with it are
    reported there, or else at the file the problem is about.
    """

    kind: str
    cells: Mapping[str, str]
    occurrence: int | None = None  # which occurrence of the text, from 1, in reading order
    context: str | None = None  # a stretch of the seed around the text, found once
    seed: Path | None = None  # for an article: the text to store under seeds/
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Added:
    table: str
    cells: dict[str, str | None]
    path: Path  # the table's CSV
    line: int  # the row's line in it, as written


@dataclass
class AddResult:
    added: list[Added] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    to_do: list[Problem] = field(default_factory=list)  # what the new rows still await (AWAITING_REFERENCES)


def describe_places(seed: str, matches: Sequence[Match]) -> str:
    """Where each match is, as `[start, end) line L, column C`, at most MAX_PLACES of them."""
    places = []
    for number, match in enumerate(matches[:MAX_PLACES], start=1):
        line, column = match.line_and_column(seed)
        places.append(f"#{number} [{match.char_start}, {match.char_end}) line {line}, column {column}")
    more = f" and {len(matches) - MAX_PLACES} more" if len(matches) > MAX_PLACES else ""
    return "; ".join(places) + more


def find_span(
    seed: str, text: str, occurrence: int | None, context: str | None
) -> tuple[int, int] | tuple[str, dict[str, Any]]:
    """The offsets of `text` in `seed`, or the code and values of the problem that stops finding them."""
    matches = word_matches(seed, text)
    if context is not None:
        around = exact_matches(seed, context)
        if len(around) != 1:
            return "context-not-found", {"context": context, "count": len(around)}
        (span,) = around
        matches = [m for m in matches if span.char_start <= m.char_start and m.char_end <= span.char_end]
        if not matches:
            return "context-without-text", {"context": context, "text": text}
    if not matches:
        inside = exact_matches(seed, text)
        if inside:
            words = [_word_around(seed, m) for m in inside[:MAX_PLACES]]
            return "span-inside-word", {"text": text, "words": ", ".join(dict.fromkeys(words))}
        near = nearest_match(seed, text)
        nearest = f"; the nearest is {near.text!r} at [{near.char_start}, {near.char_end})" if near else ""
        return "span-not-found", {"text": text, "nearest": nearest}
    if occurrence is not None:
        if not 1 <= occurrence <= len(matches):
            return "occurrence-out-of-range", {"text": text, "occurrence": occurrence, "count": len(matches)}
        matches = [matches[occurrence - 1]]
    if len(matches) > 1:
        return "span-ambiguous", {"text": text, "count": len(matches), "places": describe_places(seed, matches)}
    return matches[0].char_start, matches[0].char_end


def _word_around(seed: str, match: Match) -> str:
    start, end = match.char_start, match.char_end
    while start and word_character(seed[start - 1]):
        start -= 1
    while end < len(seed) and word_character(seed[end]):
        end += 1
    return repr(seed[start:end])


def read_new_seed(path: Path, limit: int) -> tuple[bytes | None, list[Problem]]:
    """A new seed's bytes when they are text a seed may hold: UTF-8 without BOM or control
    characters (as `validate` reads seeds), with LF line ends and some text."""
    try:
        raw = read_regular(path, limit)
    except OSError as error:
        return None, [problem("input-unreadable", path, detail=f"{display_path(path)}: {error.strerror or error}")]
    text, problems = decode_text(raw, path)
    if text is None:
        return None, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        return None, [problem("seed-line-ends", path, line, line_number=line)]
    if not text.strip():
        return None, [problem("seed-empty", path)]
    return raw, []


class _Draft:
    """The package's tables with the requests applied so far, and the seeds they add."""

    def __init__(self, layout: Layout, tables: dict[str, RawTable]) -> None:
        self.layout = layout
        self.tables = tables
        self.seeds: dict[str, bytes] = {}  # seed_file -> bytes, for the articles added
        self.texts: dict[str, str | None] = {}  # article_id -> its seed's text, read once
        self.new_lines: dict[str, dict[int, Request]] = {name: {} for name in tables}
        self.order: dict[tuple[str, int], int] = {}  # (table, draft line) -> the row's place among the requests

    def column(self, table: str, name: str) -> list[str]:
        return [value for value in self.tables[table].data.get_column(name).to_list() if value is not None]

    def append(self, request: Request, model: type[Row], cells: dict[str, str | None]) -> None:
        import polars as pl

        table = self.tables[model.resource_name]
        # Past the last row's line: until `build` writes the row, its line only tells it apart.
        line = (table.data.select(pl.col(LINE).max()).item() or 1) + 1
        row = pl.DataFrame([{**cells, LINE: line}], schema=table.data.schema)
        self.tables[model.resource_name] = replace(table, data=pl.concat([table.data, row]))
        self.new_lines[model.resource_name][line] = request
        self.order[model.resource_name, line] = len(self.order)

    def seed_text(self, article_id: str) -> tuple[str | None, Path | None]:
        """The text of the article's seed and its path, or None where the package has no such article."""
        articles = self.tables[Article.resource_name].data
        rows = articles.filter(articles.get_column("article_id") == article_id)
        if rows.is_empty():
            return None, None
        seed_file = rows.get_column("seed_file")[0] or ""
        path = self.layout.seed(seed_file)
        if article_id not in self.texts:
            if seed_file in self.seeds:
                self.texts[article_id] = self.seeds[seed_file].decode("utf-8")
            elif re.fullmatch(SEED_FILE_PATTERN, seed_file):
                # Read as `validate` reads seeds: inside seeds/ (links included), regular, within the limit.
                self.texts[article_id] = read_text(path, self.layout.seeds_dir, self.layout.limits)[0]
            else:
                self.texts[article_id] = None
        return self.texts[article_id], path


def _located(request: Request, found: Problem) -> Problem:
    """The problem reported where the request was written, when it was written in a file."""
    if request.path is None:
        return found
    return replace(found, path=display_path(request.path), line=request.line)


def _cells(request: Request, model: type[Row], draft: _Draft) -> dict[str, str | None] | list[Problem]:
    """The new row's cells: the contributor's, the key filled in, the span found; or what is wrong."""
    csv_path = draft.layout.csv(model.resource_name)
    given = {name: value for name, value in request.cells.items() if value != ""}
    offered = [name for name in model.model_fields if name not in found_fields(model)]
    unknown = [
        problem(
            "field-unknown",
            csv_path,
            None,
            name if name.isidentifier() else None,  # a batch key may hold anything: its message shows its repr
            kind=request.kind,
            field_name=name,
            suggestion=did_you_mean(name, offered),
        )
        for name in given
        if name not in offered
    ]
    if unknown:
        return unknown
    unreadable = [
        problem("control-character", csv_path, None, name, char=repr(found.group()))
        for name, value in given.items()
        if (found := CONTROL_CHARACTERS.search(value) or LONE_SURROGATE.search(value))
    ]
    if unreadable:
        return unreadable
    cells: dict[str, str | None] = dict.fromkeys(model.model_fields) | given
    if model is Article:
        return _article_cells(request, cells, draft)
    key = model.primary_key[0]
    for name, value in model.next_key(cells, draft.column(model.resource_name, key)).items():
        cells[name] = cells[name] or value
    if issubclass(model, Evidence):
        return _span_cells(request, cells, draft, csv_path)
    return cells


def _article_cells(
    request: Request, cells: dict[str, str | None], draft: _Draft
) -> dict[str, str | None] | list[Problem]:
    csv_path = draft.layout.csv(Article.resource_name)
    if request.seed is None:
        return [problem("seed-required", csv_path)]
    raw, problems = read_new_seed(request.seed, draft.layout.limits.max_file_bytes)
    if raw is None:
        return problems
    sha256 = hashlib.sha256(raw).hexdigest()
    articles = draft.tables[Article.resource_name].data
    same = articles.filter(articles.get_column("sha256") == sha256).get_column("article_id").to_list()
    if same:
        return [problem("seed-duplicate", request.seed, article=same[0])]
    article_id = Article.next_key(cells, draft.column(Article.resource_name, "article_id"))["article_id"]
    seed_file = Article.seed_file_for(article_id, sha256)
    draft.seeds[seed_file] = raw
    return cells | {"article_id": article_id, "seed_file": seed_file, "sha256": sha256}


def _span_cells(
    request: Request, cells: dict[str, str | None], draft: _Draft, csv_path: Path
) -> dict[str, str | None] | list[Problem]:
    article_id, text = cells.get("article_id"), cells.get("text")
    if not article_id or not text:
        missing = "article_id" if not article_id else "text"
        return [problem("field-required", csv_path, None, missing, kind=request.kind, field_name=missing)]
    seed, seed_path = draft.seed_text(article_id)
    if seed_path is None:
        names = ", ".join(draft.column(Article.resource_name, "article_id"))
        return [problem("article-unknown", csv_path, None, "article_id", article=article_id, names=names)]
    if seed is None:
        return [problem("seed-unreadable", seed_path, article=article_id)]
    found = find_span(seed, text, request.occurrence, request.context)
    if isinstance(found[1], dict):
        code, values = found
        return [problem(str(code), seed_path, None, "text", **values)]
    start, end = found
    return cells | {"char_start": str(start), "char_end": str(end)}


def add(layout: Layout, requests: Sequence[Request], dry_run: bool = False) -> AddResult:
    """Add the rows of `requests` to the package at `layout`: all of them, or none with the problems why."""
    from .build import interrupted, unfinished_write

    # A write that was stopped midway is finished first, so that the tables read are the ones on disk.
    problems = interrupted(layout) if dry_run else unfinished_write(layout)[1]
    if problems:
        return AddResult(problems=problems)
    before = _fingerprints(layout)
    tables, problems = read_tables(layout)
    if problems or len(tables) != len(TABLES):
        return AddResult(problems=problems)
    draft = _Draft(layout, tables)
    for request in requests:
        model = KINDS.get(request.kind)
        if model is None:
            where = request.path or layout.package_dir
            suggestion = did_you_mean(request.kind, list(KINDS))
            problems.append(problem("kind-unknown", where, request.line, kind=request.kind, suggestion=suggestion))
            continue
        cells = _cells(request, model, draft)
        if isinstance(cells, list):
            problems += [_located(request, found) for found in cells]
        else:
            draft.append(request, model, cells)
    if problems:
        return AddResult(problems=in_order(problems))
    outputs, problems = generate(layout, draft.tables, draft.seeds)
    if problems:
        return AddResult(problems=_at_requests(problems, draft, {}))
    seeds = {layout.seed(seed_file): data for seed_file, data in draft.seeds.items()}
    added, found = _checked(layout, outputs | seeds, draft)
    problems = [item for item in found if item.code not in AWAITING_REFERENCES]
    to_do = [item for item in found if item.code in AWAITING_REFERENCES]
    if problems or dry_run:
        return AddResult(added=added, problems=problems, to_do=to_do)
    changed = [problem("package-changed", path) for path, print_ in before.items() if _fingerprint(path) != print_]
    if changed:
        return AddResult(problems=changed)
    from .atomic import write_all, write_new

    # The seeds first, each whole or not at all: a seed no row refers to yet is harmless, and the
    # journal of the tables' write then names only files that `build` writes, and finishes.
    problems = write_new(seeds)
    if not problems:
        problems = write_all(outputs, layout.root)[1]
    return AddResult(added=added, problems=problems, to_do=to_do)


def _fingerprint(path: Path) -> str | None:
    """The sha256 of a file as it is now, None where there is none (or nothing readable)."""
    from .atomic import MAX_READ_BYTES

    try:
        return hashlib.sha256(read_regular(path, MAX_READ_BYTES)).hexdigest()
    except OSError:
        return None


def _fingerprints(layout: Layout) -> dict[Path, str | None]:
    """Every file `add` may write, as it is before `add` reads the package: one that changes before
    the write (another `add`, an editor) would be overwritten, so `add` then writes nothing."""
    from .build import generated_paths

    return {path: _fingerprint(path) for path in generated_paths(layout)}


def _at_requests(problems: list[Problem], draft: _Draft, lines: Mapping[str, Mapping[int, int]]) -> list[Problem]:
    """The problems of the draft, each where it is in the package (see `_place`)."""
    return in_order(_place(found, draft, lines)[0] for found in problems)


def _place(found: Problem, draft: _Draft, lines: Mapping[str, Mapping[int, int]]) -> tuple[Problem, bool]:
    """A problem of the draft (read in memory, or from the scratch copy) where it is in the package, and
    whether it is at a new row: a new row's is at its request (it has no line yet), an existing row's at
    its line on disk. `lines` maps each table's lines in the scratch copy to the draft's; without it,
    the lines are the draft's."""
    for table in draft.tables:
        if found.path == display_path(draft.layout.csv(table)) and found.line is not None:
            line = lines.get(table, {}).get(found.line, found.line)
            request = draft.new_lines[table].get(line)
            if request is None:
                return replace(found, line=line), False
            return (_located(request, found) if request.path else replace(found, line=None)), True
    return found, False


def _checked(layout: Layout, outputs: dict[Path, bytes], draft: _Draft) -> tuple[list[Added], list[Problem]]:
    """The new rows as `build` writes them, and what `validate` finds in a scratch copy of the package
    holding them that it does not find in the package: the problems the new rows bring, wherever they
    show (a new quote's utterance may clash with an existing quote's speaker)."""
    from .validate import validate

    with tempfile.TemporaryDirectory(prefix="newsfacts-add-") as scratch:
        staged = _stage(layout, outputs, Path(scratch))
        added, lines = _new_rows(staged, draft)
        found = [_place(_unstaged(item, staged, layout), draft, lines) for item in validate(staged)]
    if any(item.code not in AWAITING_REFERENCES for item, _ in found):
        # Only then is the package itself validated: what it already has, at the same place, is not the
        # new rows' doing; a problem at a new row always is. Each known problem excuses one found.
        known = Counter(_where_and_what(item) for item in validate(layout))
        mine = []
        for item, at_new_row in found:
            if not at_new_row and known[_where_and_what(item)] > 0:
                known[_where_and_what(item)] -= 1
            else:
                mine.append(item)
        return added, in_order(mine)
    return added, in_order(item for item, _ in found)


def _where_and_what(item: Problem) -> tuple[str, int | None, str | None, str, str]:
    return (item.path, item.line, item.field, item.code, item.message)


def _stage(layout: Layout, outputs: dict[Path, bytes], scratch: Path) -> Layout:
    """A copy of the package and its seeds in `scratch`, holding `outputs`. Each file is read as `validate`
    reads it (a link only where it stays in its folder; no FIFO; within the limits) and written anew as
    a regular file, so that no link in the package can lead a write out of the scratch folder."""
    staged = Layout(scratch / layout.package_dir.name, layout.limits)
    files: dict[Path, bytes] = {}
    for folder in (layout.package_dir, layout.seeds_dir):
        for parent, folders, names in os.walk(folder):  # links to folders are listed, never entered
            if folder == layout.package_dir and Path(parent) == folder:
                folders[:] = [name for name in folders if folder / name != layout.seeds_dir]  # read within seeds/
            for name in names:
                path = Path(parent) / name
                data, _ = read_bytes(path, folder, layout.limits)  # what validate cannot read, it reports
                if data is not None:
                    files[path] = data
    for path, data in (files | outputs).items():
        target = scratch / path.relative_to(layout.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    return staged


def _unstaged(item: Problem, staged: Layout, layout: Layout) -> Problem:
    """A problem found in the scratch copy, named at the package's file (its line is still the copy's)."""
    scratch = staged.root.resolve()
    try:
        inside = Path(item.path).resolve().relative_to(scratch)
    except ValueError:
        return item
    return replace(item, path=display_path(layout.root / inside), message=item.message.replace(str(scratch), "."))


def _new_rows(staged: Layout, draft: _Draft) -> tuple[list[Added], dict[str, dict[int, int]]]:
    """Each new row with the line `build` put it on, in the order requested; and for each table, the
    draft's line of the row on each line of the scratch copy."""
    import polars as pl

    tables, _ = read_tables(staged)
    added: list[tuple[int, Added]] = []
    lines = {}
    for name, table in tables.items():
        key = list(MODELS[name].primary_key)
        drafted = draft.tables[name].data.select([*key, pl.col(LINE).alias("\x00draft")])
        joined = table.data.join(drafted, on=key, how="inner", nulls_equal=True)
        lines[name] = dict(joined.select(LINE, "\x00draft").iter_rows())
        for row in joined.filter(pl.col("\x00draft").is_in(list(draft.new_lines[name]))).iter_rows(named=True):
            line = row.pop(LINE)
            place = draft.order[name, row.pop("\x00draft")]
            added.append((place, Added(name, row, draft.layout.csv(name), line)))
    return [row for _, row in sorted(added, key=lambda item: item[0])], lines


def read_batch(path: Path, limit: int) -> tuple[list[Request], list[Problem]]:
    """The requests of a batch file: a YAML list of mappings, each `add: KIND` and the row's cells.

    Every value is read as the text it is (YAML's BaseLoader: `2024-09-10` stays a string, `no`
    stays `no`), and only plain values are taken, so that no YAML feature can build an object.
    A seed path is relative to the batch file.
    """
    import yaml

    try:
        text, problems = decode_text(read_regular(path, limit), path)
    except OSError as error:
        return [], [problem("input-unreadable", path, detail=f"{display_path(path)}: {error.strerror or error}")]
    if text is None:
        return [], problems
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except (yaml.YAMLError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return [], [
            problem("batch-invalid", path, line, detail=str(error).splitlines()[0] if str(error) else "too deep")
        ]
    if root is None:
        return [], [problem("batch-invalid", path, detail="it holds no rows")]
    if not isinstance(root, yaml.SequenceNode):
        return [], [problem("batch-invalid", path, root.start_mark.line + 1, detail="expected a list of rows")]
    requests, problems = [], []
    for item in root.value:
        request = _batch_request(item, path)
        if isinstance(request, Problem):
            problems.append(request)
        else:
            requests.append(request)
    return requests, problems


def _inside(folder: Path, relative: str) -> bool:
    """Whether `relative` names a file inside `folder`, links followed: a batch file may come from someone
    else, and names no file outside its own folder."""
    if PurePosixPath(relative).is_absolute() or "\\" in relative:
        return False
    try:
        return (folder / relative).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
        return False


def _batch_request(item: object, path: Path) -> Request | Problem:
    import yaml

    line = item.start_mark.line + 1 if isinstance(item, yaml.Node) else None
    if not isinstance(item, yaml.MappingNode):
        return problem("batch-invalid", path, line, detail="each row is a mapping of field: value")
    values: dict[str, str] = {}
    for key, value in item.value:
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            return problem("batch-invalid", path, key.start_mark.line + 1, detail="each value is plain text")
        if key.value in values:
            return problem("batch-invalid", path, key.start_mark.line + 1, detail=f"{key.value} is given twice")
        values[key.value] = value.value
    kind = values.pop("add", "")
    if not kind:
        return problem("batch-invalid", path, line, detail="each row names its kind: `add: quote`")
    # The keys that are no cell, where the kind has a use for them; anywhere else they are unknown fields.
    model = KINDS.get(kind)
    span = model is not None and issubclass(model, Evidence)
    occurrence = values.pop("occurrence", None) if span else None
    if occurrence is not None and not (occurrence.isascii() and occurrence.isdigit()):
        return problem("batch-invalid", path, line, detail=f"occurrence is a number from 1, not {occurrence!r}")
    seed = values.pop("seed", None) if model is Article else None
    if seed is not None and not _inside(path.parent, seed):
        # A batch file may come from someone else: it names no file outside its own folder.
        return problem(
            "batch-invalid", path, line, detail=f"seed {seed!r} is not a path inside the batch file's folder"
        )
    return Request(
        kind,
        values,
        occurrence=int(occurrence) if occurrence is not None else None,
        context=values.pop("context", None) if span else None,
        seed=path.parent / seed if seed else None,
        path=str(path),
        line=line,
    )
