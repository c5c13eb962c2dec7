"""`newsfacts build`: regenerate every derived file from the CSV tables and the models.

Outputs are computed in memory first. `check=True` compares them with the files on disk and
writes nothing. Otherwise the changed files are replaced through `atomic.write_all`: a build
that fails or is killed leaves the previous files, or a journal with which the next build
finishes it (`validate` reports it meanwhile as `build-interrupted`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import dictionary
from .atomic import leftovers, read_existing, roll_forward, write_all
from .discovery import discovery_files
from .engine import RawTable, check_rows
from .models import MODELS, TABLES, Article, Entity
from .package import Layout, explain_rows, load_metadata, read_tables
from .problems import Problem, catalogue_markdown, in_order, problem, write_problem
from .render import render_json
from .schemas import GENERATED_NOTE, json_schema, table_schema
from .source import PACKAGE_FOLDER
from .tables import DIALECT, LINE, csv_bytes, json_bytes, read_text

if TYPE_CHECKING:
    import polars as pl

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def duplicate_keys(table: RawTable, typed: pl.DataFrame) -> list[Problem]:
    """`duplicate-key` for each row whose primary key an earlier row already has."""
    import polars as pl

    key = list(MODELS[table.name].primary_key)
    first = typed.with_columns(pl.col(LINE).first().over(key).alias("\x00first"))
    return [
        problem(
            "duplicate-key",
            table.path,
            row[LINE],
            ",".join(key),
            key=tuple(row[name] for name in key),
            other_line=row["\x00first"],
        )
        for row in first.filter(pl.col(LINE) != pl.col("\x00first")).iter_rows(named=True)
    ]


def typed_rows(tables: dict[str, RawTable]) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Each table's rows typed by its model's Table Schema, in file order, and what keeps `build` from
    writing them: the row model's `row-invalid` problems, and primary keys that repeat."""
    import polars as pl

    checked = check_rows(
        tables, {"resources": [{"name": name, "schema": table_schema(MODELS[name])} for name in tables]}
    )
    problems: list[Problem] = []
    for name, table in tables.items():
        explained, rejected = explain_rows(table, checked.invalid_lines.get(name, set()))
        problems += explained
        problems += duplicate_keys(table, checked.typed[name].filter(~pl.col(LINE).is_in(sorted(rejected))))
    return checked.typed, problems


def canonical_files(table: RawTable, typed: pl.DataFrame) -> tuple[bytes, bytes]:
    """The table's CSV and JSON, rows sorted by primary key: the CSV with its cells as they are
    (RFC 4180 quoting, LF line ends), the JSON as `tables.json_bytes` writes the typed records."""
    header = list(MODELS[table.name].model_fields)
    order = typed.with_row_index("\x00row").sort(list(MODELS[table.name].primary_key), maintain_order=True)
    rows = order.get_column("\x00row")
    cells = table.data.select(header)[rows].fill_null("")
    return csv_bytes([header, *cells.iter_rows()]), b"".join(render_json(order.select(header)))


def resource_descriptor(table: str, csv_bytes: bytes) -> dict[str, Any]:
    return file_resource_descriptor(table, len(csv_bytes), hashlib.sha256(csv_bytes).hexdigest())


def file_resource_descriptor(table: str, size: int, sha256: str) -> dict[str, Any]:
    """The resource of a table whose CSV has `size` bytes and this hex digest (written without holding it)."""
    model = MODELS[table]
    return {
        "name": table,
        "type": "table",
        "title": model.table_title,
        "description": model.summary(),
        "path": f"data/{table}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": size,
        "hash": "sha256:" + sha256,
        "dialect": DIALECT,
        "schema": table_schema(model),
    }


def package_descriptor(
    layout: Layout,
    metadata: dict[str, Any],
    csvs: dict[str, bytes],
    typed: dict[str, pl.DataFrame],
    new_seeds: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    articles = typed[Article.resource_name]
    return assemble_descriptor(
        metadata,
        package_sources(layout, articles, new_seeds),
        source_publishers(articles, typed[Entity.resource_name]),
        [resource_descriptor(table, data) for table, data in csvs.items()],
    )


OPENING_CHARS = 60  # of an untitled article's text, to name it by


def package_sources(
    layout: Layout, articles: pl.DataFrame, new_seeds: Mapping[str, bytes] | None = None
) -> list[dict[str, str]]:
    """The descriptor's `sources`: each article's seed, by its title (`source_title`) and its path.
    A seed is read only where its article has no headline, from `new_seeds` (by seed_file: the seeds
    `add` is about to write) or else from disk."""
    sources = []
    for title, seed_file in articles.select("title", "seed_file").iter_rows():
        if title:
            text = None
        elif new_seeds and seed_file in new_seeds:
            text = new_seeds[seed_file].decode("utf-8")
        else:
            text = read_text(layout.seed(seed_file), layout.seeds_dir, layout.limits)[0]
        sources.append({"title": source_title(title, text), "path": seed_file})
    return sources


def source_title(title: str | None, text: str | None) -> str:
    """An article's source title: its headline, or, where the seed prints none, the words its `text`
    opens with (never `None`)."""
    if title:
        return title
    opening = " ".join((text or "").split())
    if len(opening) > OPENING_CHARS:
        cut = opening.rfind(" ", 0, OPENING_CHARS)
        opening = opening[: cut if cut > 0 else OPENING_CHARS] + "…"
    return f"Untitled, beginning “{opening}”" if opening else "Untitled"


# The publishers of the seed texts hold their copyright (DataCite's contributor type `RightsHolder`).
PUBLISHER_ROLE = "rightsHolder"


def source_publishers(articles: pl.DataFrame, entities: pl.DataFrame) -> list[dict[str, Any]]:
    """The outlets that published the seed texts, named or inferred in the articles table, as contributors."""
    names = dict(entities.select("entity_id", "name").iter_rows())
    return publisher_contributors(
        names[outlet] for outlet in articles.get_column("outlet_id").drop_nulls() if outlet in names
    )


def publisher_contributors(names: Iterable[str]) -> list[dict[str, Any]]:
    """The descriptor's contributors for the publishers NAMES, once each, in order."""
    return [{"title": name, "roles": [PUBLISHER_ROLE]} for name in sorted(set(names))]


def assemble_descriptor(
    metadata: dict[str, Any],
    sources: list[dict[str, str]],
    publishers: list[dict[str, Any]],
    resources: list[dict[str, Any]],
) -> dict[str, Any]:
    """The package descriptor from metadata.toml, the articles' sources and publishers, and the resources."""
    descriptor: dict[str, Any] = {"$schema": PACKAGE_PROFILE}
    descriptor.update(metadata["package"])
    if publishers:
        descriptor["contributors"] = [*descriptor.get("contributors", []), *publishers]
    descriptor["sources"] = sources
    descriptor["resources"] = resources
    descriptor["newsfacts:generated"] = "Generated by `newsfacts build` from metadata.toml and data/*.csv; do not edit."
    return descriptor


def readme_blocks(typed: dict[str, pl.DataFrame]) -> dict[str, str]:
    """The README's blocks that describe the data, by name: `build` writes each between its markers,
    so that no count or list of the README goes stale (`build --check` reports one that has)."""
    counts = {name: frame.height for name, frame in typed.items()}
    return {
        "tables": dictionary.counts_table(counts),
        "sources": dictionary.sources_table(
            typed[Article.resource_name], typed[Entity.resource_name], folder=f"{PACKAGE_FOLDER}/"
        ),
    }


# The README's section that the data dictionary carries too, so that a release says how its data was made.
PREPARATION_HEADING = "## How the data was prepared"


def readme_section(readme: str, heading: str) -> str | None:
    """The text under HEADING in the README, up to the next heading of any level; None without it."""
    start = readme.find(f"\n{heading}\n")
    if start < 0:
        return None
    body = readme[start + len(heading) + 2 :]
    following = re.search(r"^#", body, flags=re.M)
    return body[: following.start() if following else len(body)].strip("\n")


def replace_readme_section(readme: str, name: str, section: str) -> str:
    """`readme` with the block between `<!-- NAME:start … -->` and `<!-- NAME:end -->` replaced by `section`."""
    start_marker = f"<!-- {name}:start (generated by `newsfacts build`) -->"
    start, end = readme.find(start_marker), readme.find(f"<!-- {name}:end -->")
    if start < 0 or end < start:
        return readme
    return readme[: start + len(start_marker)] + "\n" + section + readme[end:]


def schema_paths(layout: Layout, table: str) -> tuple[Path, Path]:
    """schema/: a table's Table Schema, and the JSON Schema of its JSON table."""
    return layout.schema_dir / f"{table}.tableschema.json", layout.schema_dir / f"{table}.schema.json"


def schema_files(layout: Layout) -> dict[Path, bytes]:
    outputs: dict[Path, bytes] = {}
    for model in TABLES:
        table_schema_path, json_schema_path = schema_paths(layout, model.resource_name)
        outputs[table_schema_path] = json_bytes({"$comment": GENERATED_NOTE, **table_schema(model)})
        outputs[json_schema_path] = json_bytes(json_schema(model))
    return outputs


def generated_paths(layout: Layout) -> list[Path]:
    """Every file `build` writes, without generating them."""
    paths = [
        layout.descriptor,
        layout.dictionary,
        layout.croissant,
        layout.schema_org,
        layout.readme,
        layout.problems_doc,
    ]
    for model in TABLES:
        name = model.resource_name
        paths += [layout.csv(name), layout.json(name), *schema_paths(layout, name)]
    return paths


def interrupted(layout: Layout) -> list[Problem]:
    """What a killed `build` left behind, found without changing anything: the next build cleans it up."""
    found = leftovers(layout.root, generated_paths(layout))
    if found.journal is not None:
        return [problem("build-interrupted", found.journal)]
    return [problem("stale-temp-file", temp) for temp in found.temps]


def unfinished_write(layout: Layout) -> tuple[list[Path], list[Problem]]:
    """Finish what a stopped `build` or `add` left half-written, before the tables are read (read first,
    they would be the old ones, and a build from them would undo the finished write); the files it replaced."""
    try:
        return roll_forward(layout.root, generated_paths(layout)), []
    except OSError as error:
        return [], [write_problem(error.filename or layout.root, error)]


def generate(
    layout: Layout, tables: dict[str, RawTable] | None = None, new_seeds: Mapping[str, bytes] | None = None
) -> tuple[dict[Path, bytes], list[Problem]]:
    """Every generated file's path and bytes, or the problems that prevent a safe build.

    The tables are read from the layout, unless given: `newsfacts add` gives them with its new rows, and
    the seeds it is about to write (`new_seeds`, by seed_file).
    """
    problems: list[Problem] = []
    if tables is None:
        tables, problems = read_tables(layout)
    metadata, metadata_problems = load_metadata(layout)
    typed, row_problems = typed_rows(tables)
    problems += metadata_problems + row_problems
    if problems or metadata is None or len(tables) != len(TABLES):
        # Building from partly parsed tables would drop rows: refuse instead.
        return {}, in_order(problems)

    outputs: dict[Path, bytes] = {}
    csvs: dict[str, bytes] = {}
    for name, table in tables.items():
        csvs[name], json_table = canonical_files(table, typed[name])
        outputs[layout.csv(name)] = csvs[name]
        outputs[layout.json(name)] = json_table
    outputs.update(schema_files(layout))
    descriptor = package_descriptor(layout, metadata, csvs, typed, new_seeds)
    outputs[layout.descriptor] = json_bytes(descriptor)
    counts = {name: frame.height for name, frame in typed.items()}
    readme: str | None = None
    if layout.readme.exists():
        readme, problems = read_text(layout.readme, layout.root, layout.limits)
        if readme is None:
            return {}, problems
    # The dictionary carries the project's account of its sources where there is a project README.
    sources, prepared = None, None
    if readme is not None:
        sources = dictionary.sources_table(typed[Article.resource_name], typed[Entity.resource_name])
        prepared = readme_section(readme, PREPARATION_HEADING)
    # The articles' cells as written, in the order the descriptor's sources were named from them.
    articles = tables[Article.resource_name].data.drop(LINE).to_dicts()
    entity_names = dict(typed[Entity.resource_name].select("entity_id", "name").iter_rows())
    discovered, problems = discovery_files(
        layout, descriptor, dictionary.render(metadata, counts, sources, prepared), articles, entity_names
    )
    if problems:
        return {}, problems
    outputs.update(discovered)
    if layout.problems_doc.parent.is_dir():
        outputs[layout.problems_doc] = catalogue_markdown().encode("utf-8")
    if readme is not None:
        for name, block in readme_blocks(typed).items():
            readme = replace_readme_section(readme, name, block)
        outputs[layout.readme] = readme.encode("utf-8")
    return outputs, []


# A count of the sources written in prose ("five news articles"), which a new article makes wrong.
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
SOURCE_COUNT = re.compile(
    rf"\b({'|'.join(NUMBER_WORDS)}|[0-9]+)\s+(?:news\s+|source\s+|seed\s+)?(articles|seed texts|source texts|seeds)\b",
    re.IGNORECASE,
)
GENERATED_BLOCK = re.compile(r"<!-- (\w+):start \(generated by `newsfacts build`\) -->.*?<!-- \1:end -->", re.DOTALL)


def stale_counts(layout: Layout, outputs: dict[Path, bytes], articles: int) -> list[Problem]:
    """`prose-stale` for each count of the sources in the prose describing the data (README, CITATION.cff,
    metadata.toml; not the blocks `build` writes) that is not the number of articles."""
    problems = []
    for path in (layout.readme, layout.citation, layout.metadata):
        # An unreadable file is not this check's to report: validate says what is wrong with it.
        text = outputs[path].decode("utf-8") if path in outputs else read_text(path, layout.root, layout.limits)[0]
        if text is None:
            continue
        prose = GENERATED_BLOCK.sub(lambda block: "\n" * block.group().count("\n"), text)
        for match in SOURCE_COUNT.finditer(prose):
            number = match.group(1).lower()
            count = NUMBER_WORDS.index(number) if number in NUMBER_WORDS else int(number)
            if count != articles:
                line = prose.count("\n", 0, match.start()) + 1
                problems.append(problem("prose-stale", path, line, text=match.group(), count=articles))
    return problems


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data` (a folder or an unreadable file does not)."""
    try:
        return read_existing(path) == data
    except OSError:
        return False


def build(layout: Layout, check: bool = False) -> BuildResult:
    finished, problems = ([], interrupted(layout)) if check else unfinished_write(layout)
    if problems:
        return BuildResult(problems=problems)
    outputs, problems = generate(layout)
    if problems:
        return BuildResult(problems=problems)
    if check:
        stale = sorted(path for path, data in outputs.items() if not _holds(path, data))
        articles = json.loads(outputs[layout.json(Article.resource_name)])
        return BuildResult(
            problems=[problem("stale-file", path) for path in stale] + stale_counts(layout, outputs, len(articles)),
            stale=stale,
        )
    written, problems = write_all(outputs, layout.root)
    return BuildResult(problems=problems, written=sorted({*finished, *written}))
