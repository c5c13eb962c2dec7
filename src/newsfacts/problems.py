"""The error catalogue: every problem newsfacts reports, and every error it raises, has a code from it.

Check functions return lists of `Problem`; they never print or exit. The CLI formats them.
Code that cannot go on raises `NewsfactsError`, which carries a problem's code, message and place.
Tests assert codes and locations, and of a message only the fragments that say how to fix (a
code point, a suggested id, a format), never its whole wording. docs/problems.md is generated
from the catalogue by `newsfacts build`.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import toolkit
from .markdown import table_cell

# group -> what its problems have in common (a section of docs/problems.md).
GROUPS: dict[str, str] = {
    "structure": "A file cannot be read as a table, so `validate` checks nothing else until it can.",
    "row": "A row or a cell breaks its table's schema or row model.",
    "descriptor": "datapackage.json does not describe the files, or is not what `newsfacts build` writes.",
    "generated": "A file that `newsfacts build` writes is out of date, or a build was stopped midway.",
    "provenance": "A seed text or a verbatim span does not match.",
    "curation": "A curation rule across rows and tables fails.",
    "suite": "An expectation suite (datapackage/expectations/) cannot be used.",
    "rule": "A rule of an expectation suite fails; the suite names the code in the rule's `meta`.",
    "released": "The package changes what a release published (releases/), without an acknowledgement.",
    "release": "`newsfacts diff`, `release` or `pack` cannot compare or release.",
    "archive": "A release zip is damaged or unsafe; nothing of it is used.",
    "download": "`newsfacts download` cannot fetch or verify a release.",
    "load": "`newsfacts.load()` or a command cannot read the package it was given (a command exits 2).",
    "export": "`newsfacts export` cannot write the package in the format asked for.",
    "output": "A command will not replace what is already at its target.",
    "write": "A file could not be written: the command could not run (exit status 2).",
    "coverage": "`newsfacts coverage` cannot examine what it was asked to.",
    "add": "`newsfacts add` cannot add a row as asked; nothing is written.",
    "usage": "The command line cannot be understood (exit status 2).",
    "install": "A command needs the validation toolkit, which `pip install newsfacts` leaves out (exit status 2).",
    "internal": "A bug in newsfacts.",
}


@dataclass(frozen=True)
class Entry:
    """One code: its message template (placeholders filled from `problem()`'s keywords), group and fix."""

    template: str
    group: str
    hint: str


def _catalogue(sections: dict[str, dict[str, tuple[str, str]]]) -> dict[str, Entry]:
    """The entries of every group's section, each code once."""
    catalogue: dict[str, Entry] = {}
    for group, entries in sections.items():
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}")
        for code, (template, hint) in entries.items():
            if code in catalogue:
                raise ValueError(f"{code} is catalogued twice")
            catalogue[code] = Entry(template, group, hint)
    return catalogue


# code -> (message template, hint), by group.
CATALOGUE: dict[str, Entry] = _catalogue(
    {
        "structure": {
            "file-missing": (
                "file cannot be read: {detail}",
                "restore the file, or run `newsfacts build` to write the files it generates",
            ),
            "encoding-error": ("file is not valid UTF-8: {detail}", "save the file as UTF-8"),
            "csv-error": (
                "CSV cannot be parsed: {detail}",
                'quote a cell that holds a comma, a quote or a line break, and double its quotes ("")',
            ),
            "unsafe-path": (
                "refusing to read a path outside the package: {detail}",
                "keep every file inside the package, with a relative path and no `..`, link or hidden folder",
            ),
            "file-too-large": (
                "file has {size} bytes, over the limit of {limit}",
                "split or shrink the file, or raise the limit with --max-file-bytes",
            ),
            "bom": ("file starts with a byte order mark", "save the file as UTF-8 without a BOM"),
            "control-character": (
                "line contains the control character {char}",
                "delete the character (tabs and line breaks are the only ones allowed), and save with LF line endings",
            ),
            "duplicate-header": ("header repeats the column(s) {names}", "name each column once"),
            "header-mismatch": (
                "header does not match the table schema: {detail}",
                "give the header the table's fields in the order of `schema/<table>.tableschema.json`",
            ),
            "row-length": (
                "row has {found} cells, the header has {expected}",
                "give every row one cell per column; quote a cell that holds a comma",
            ),
            "structure-first": (
                "{count} file(s) could not be read as tables, so the other checks did not run",
                "fix the problems above, then validate again",
            ),
        },
        "row": {
            "cell-too-large": (
                "cell has {size} characters, over the limit of {limit}",
                "shorten the cell, or raise the limit with --max-cell-chars",
            ),
            "formula-injection": (
                "cell starts with {prefix}, which spreadsheets run as a formula",
                "rephrase the value; only verbatim source text may start like a formula",
            ),
            "duplicate-key": (
                "primary key {key} also appears on line {other_line}",
                "give one of the rows a new key, or delete the copy: rows are never merged",
            ),
            "row-invalid": (
                "{detail}",
                "fix the cell as the message says; the field's rules are in the data dictionary",
            ),
            # The engine's findings, named as frictionless-py names its error types.
            "frictionless-error": ("{detail}", "fix the file as the message says"),
            "type-error": (
                "{detail}",
                "write the cell as its field's type: an integer as digits, a date as YYYY-MM-DD",
            ),
            "constraint-error": (
                "{detail}",
                "use a value that the field's constraints allow (see the data dictionary)",
            ),
            "unique-error": ("{detail}", "make the value unique in its column"),
            "primary-key": ("{detail}", "give each row its own primary key"),
            "foreign-key": ("{detail}", "use a key that exists in the referenced table, or add that row there"),
            "missing-cell": ("{detail}", "give the row a cell for every column"),
            "extra-cell": ("{detail}", "delete the cells past the last column, or quote a cell that holds a comma"),
            "blank-row": ("{detail}", "delete the empty row"),
        },
        "descriptor": {
            "descriptor-invalid": (
                "datapackage.json is not a valid descriptor: {detail}",
                "run `newsfacts build` to write datapackage.json; never edit it by hand",
            ),
            "descriptor-mismatch": (
                "datapackage.json is not what `newsfacts build` writes: {detail}",
                "run `newsfacts build`; the package's own metadata goes in datapackage/metadata.toml",
            ),
            "citation-invalid": (
                "CITATION.cff cannot be read as the package's citation: {detail}",
                "write it in the Citation File Format (a `title`, a list of `authors`, `version`, `date-released`); "
                "`newsfacts build` cites the package from it in croissant.json",
            ),
            "unknown-profile": (
                "unsupported $schema {detail}; expected {expected}",
                "run `newsfacts build`, which writes the Data Package profile newsfacts reads",
            ),
            "unsupported-hash": (
                "hash {detail} is not supported",
                "use `sha256:<64 hex digits>`: run `newsfacts build` to rewrite datapackage.json",
            ),
            "hash-mismatch": (
                "the file's sha256 is {actual}; datapackage.json records {expected}",
                "after editing a CSV, run `newsfacts build`; a downloaded file that differs is incomplete or altered",
            ),
            "byte-count": ("{detail}", "after editing a CSV, run `newsfacts build` to refresh datapackage.json"),
        },
        "generated": {
            "json-schema": (
                "JSON table does not match schema/{table}.schema.json: {detail}",
                "edit the CSV, never the JSON table, and run `newsfacts build`",
            ),
            "json-stale": (
                "JSON table does not match the CSV ({detail})",
                "edit the CSV, never the JSON table, and run `newsfacts build`",
            ),
            "stale-file": ("generated file is out of date", "run `newsfacts build` to regenerate it"),
            "prose-stale": (
                "{text!r} counts the sources, but the package has {count} articles",
                "say it without the count (the README's sources table, which `newsfacts build` writes, lists them)",
            ),
            "build-interrupted": (
                "a `newsfacts build` was stopped while it replaced files, so old and new files may be mixed",
                "run `newsfacts build` to finish it",
            ),
            "stale-temp-file": (
                "temporary file left by a stopped `newsfacts build`",
                "run `newsfacts build` to remove it",
            ),
        },
        "provenance": {
            "seed-missing": (
                "seed file not found: {detail}",
                "add the seed text under the package's seeds/, or fix seed_file",
            ),
            "seed-hash-mismatch": (
                "sha256 of {detail} does not match the seed file's bytes ({actual})",
                "set sha256 to the output of `sha256sum` on the seed; never edit a seed once rows point into it",
            ),
            "span-out-of-range": (
                "offsets [{start}, {end}) fall outside the seed text of {length} characters",
                'find the offsets with `newsfacts locate SEED "text"`',
            ),
            "span-mismatch": (
                "text does not match the seed at [{start}, {end}): {detail}",
                'copy the text exactly as the seed prints it, or find its offsets with `newsfacts locate SEED "text"`',
            ),
        },
        "curation": {
            "source-missing": (
                "{table} row {key} has no verbatim source in {sources}",
                "add a row with a verbatim span of the source text to the table named",
            ),
            "speaker-type": (
                "speaker {entity} is a {entity_type}; a speaker must be a person, organization or government",
                "name the person or body that spoke, or fix the entity's entity_type",
            ),
            "date-order": ("end_date {end} is before start_date {start}", "swap or correct the dates"),
            "date-precision": ("{detail}", "write the date as precisely as date_precision says, and no more"),
            "mention-type-mismatch": (
                "{text!r} is marked {actual}, but {fact}",
                "a text equal to the entity's name is a `name`, one of its aliases an `alias`; a place or building "
                "standing for the entity is a `metonym`, never listed among the aliases; otherwise add the "
                "spelling to the entity's aliases, or correct entity_id",
            ),
            "plover-reason": (
                "{detail}",
                "give either a plover_category or a plover_uncoded_reason (docs/codebook.md, event coding)",
            ),
            "plover-mode": (
                "mode {mode} is not {owner} (its modes: {modes})",
                "choose one of the category's modes, or leave plover_mode empty",
            ),
            "plover-unmapped": (
                "{coded_as} is not a code that a {event_type} maps to ({codes})",
                "recode the event by docs/codebook.md, or correct its event_type; a new kind of call adds its "
                "rule to PLOVER_BY_EVENT_TYPE (src/newsfacts/models/plover.py) and an example to the codebook",
            ),
            "relation-self": (
                "{event} is related to itself",
                "relate two different events, or delete the row",
            ),
            "relation-order": (
                "{relation} is symmetric and is written with the larger event_id first",
                "swap event_id and related_event_id, so that each pair has one row",
            ),
            "relation-event-type": (
                "{relation} needs an event of type {allowed} first, but {event} is a {event_type}",
                "swap the events, choose the relation type that fits, or correct the event's event_type",
            ),
            "utterance-speaker-conflict": (
                "utterance {utterance} is said by {speaker} here but by {other} in {other_quote}",
                "give the quotes of one utterance one speaker, or give them different utterance_ids",
            ),
            "entity-unreferenced": (
                "entity {entity} is not referenced by any row of any other table",
                "refer to the entity from a row that mentions it, or delete it",
            ),
            "alias-unattested": (
                "alias {alias!r} of {entity} does not occur in entity_mentions",
                "add an entity_mentions row where the text spells it so, or remove the alias",
            ),
            "reference-unknown": (
                "{column} names {reference}, which is no {table} id{near}",
                "correct the id to one of that table, or remove it from the text",
            ),
            "reference-in-note": (
                "the note names {reference}; a cross-reference between those rows is a row of {table}",
                "record the relation as a row of the table named, with its evidence span, and describe the "
                "other row in words if the note still needs it",
            ),
            "quote-uncovered": (
                "{article} quotes {text!r} at [{start}, {end}), which no quotes or non_quotes row covers",
                "add a quotes row for it, or a non_quotes row with the reason it is no quotation (docs/codebook.md)",
            ),
            "unknown-entity": ("{detail} is not an entity_id{near}", "add the entity to entities.csv, or fix the id"),
        },
        "suite": {
            "suite-missing": (
                "no expectation suite for table {table}",
                "copy the suite from the project's datapackage/expectations/",
            ),
            "suite-invalid": (
                "expectation suite cannot be used: {detail}",
                "use only the expectation types, kwargs and meta keys that newsfacts allows (checks/allowlist.py)",
            ),
        },
        "rule": {
            code: ("{rule} ({detail})", "fix the rows the rule names; the rule's notes say what it requires")
            for code in (
                "expectation-failed",
                "id-pattern",
                "date-window",
                "span-order",
                "span-length",
                "duplicate-span",
                "duplicate-name",
                "article-without-quote",
                "event-without-actor",
                "imposer-type",
                "actor-type",
            )
        },
        "released": {
            "release-record-invalid": (
                "release record cannot be read: {detail}",
                "restore `releases/<version>/` from the release's git tag: a release record is never edited",
            ),
            "released-seed-changed": (
                "{seed} was released in {version} with sha256 {expected} and is {actual} now",
                "restore the seed's bytes, or acknowledge the change in releases/ACKNOWLEDGED.toml: "
                "[[seed]] with seed, sha256 (the new one) and reason",
            ),
            "released-rule-removed": (
                "rule {index} of {table} in release {version} ({rule}) is gone from the suite",
                "restore the rule, or acknowledge it in releases/ACKNOWLEDGED.toml: "
                "[[rule]] with release, suite, expectation (the rule's index) and reason",
            ),
            "released-rule-weakened": (
                "rule {index} of {table} in release {version} ({rule}) is weaker now: {detail}",
                "restore the rule, or acknowledge it in releases/ACKNOWLEDGED.toml: "
                "[[rule]] with release, suite, expectation (the rule's index) and reason",
            ),
            "acknowledgement-invalid": (
                "acknowledgement cannot be used: {detail}",
                "give each entry of releases/ACKNOWLEDGED.toml exactly the keys CONTRIBUTING.md lists",
            ),
            "acknowledgement-stale": (
                "acknowledges {detail}, which is not a change from any release",
                "remove the entry from releases/ACKNOWLEDGED.toml",
            ),
        },
        "release": {
            "side-unreadable": (
                "cannot compare: {detail}",
                "fix what the message names, or compare another package directory, release zip or git ref",
            ),
            "nothing-to-release": (
                "the package is identical to release {version}; nothing to release",
                "change the package first; `newsfacts diff` shows what changed",
            ),
            "bump-too-small": (
                "a {bump} release is too small: the changes need a {required} release ({reasons})",
                "pass the --bump the message names, or leave --bump out",
            ),
        },
        "archive": {
            "zip-corrupt": ("the release zip is damaged: {detail}", "download the release again"),
            "zip-slip": (
                "the release zip is unsafe: {detail}; nothing was unpacked",
                "use a zip written by `newsfacts pack`: no absolute paths, `..` or links",
            ),
            "zip-too-large": (
                "the release zip unpacks past a limit (a zip bomb?): {detail}; nothing was kept",
                "use a zip written by `newsfacts pack`",
            ),
            "zip-duplicate-entry": (
                "the release zip is ambiguous: {detail}; nothing was kept",
                "use a zip written by `newsfacts pack`",
            ),
            "zip-unexpected-entry": (
                "the release zip holds more than a release: {detail}; nothing was kept",
                "use a zip written by `newsfacts pack`",
            ),
            "zip-unsupported": (
                "the release zip cannot be read safely: {detail}; nothing was kept",
                "use a zip written by `newsfacts pack`: deflated or stored, not encrypted",
            ),
        },
        "download": {
            "download-failed": ("cannot download: {detail}", "check the network, --version and --from, then retry"),
            "checksum-missing": (
                "SHA256SUMS does not list {detail}",
                "pass the --version of a published release, or a --from folder that holds it",
            ),
            "checksum-mismatch": (
                "sha256 is {actual}, but SHA256SUMS says {expected}",
                "the download is corrupt or was tampered with: download it again, and check --from",
            ),
            "download-invalid": (
                "the downloaded package has {count} problem(s), listed below; nothing was kept",
                "report it to the publisher: a release should validate",
            ),
        },
        "load": {
            "package-not-found": (
                "no such file or folder",
                "give a directory, a datapackage.json, a release .zip or an http(s) URL",
            ),
            "source-unsupported": (
                "only http(s) URLs are fetched",
                "give a directory, a datapackage.json, a release .zip or an http(s) URL",
            ),
            "source-local-only": (
                "`newsfacts {command}` works on a checkout, not on a release zip or a URL",
                "give the project directory, its datapackage/ folder or its datapackage.json",
            ),
            "bundled-missing": (
                "no bundled package: newsfacts was installed without it",
                "reinstall newsfacts, or pass a source",
            ),
            "descriptor-missing": (
                "no datapackage.json: looked for {detail}",
                "give the project directory, its datapackage/ folder or a release zip",
            ),
            "descriptor-ambiguous": (
                "several packages: {detail}",
                "give the package's own folder, or a zip that holds one package",
            ),
            "fetch-failed": ("cannot fetch: {detail}", "check the URL and the network, then retry"),
            "table-unknown": ("no table {table!r}; the package has {names}", "ask for one of the tables listed"),
            "format-unsupported": (
                "resource {table} is not CSV ({detail})",
                "newsfacts reads CSV resources only; run `newsfacts build`",
            ),
            "type-unsupported": (
                "{detail}: a field type that newsfacts does not read or write",
                "use the Table Schema types that `newsfacts build` writes, with the default format",
            ),
        },
        "export": {
            "sqlite-refused": ("{detail}", "the descriptor's schemas do not fit SQLite; run `newsfacts validate`"),
            "constraint-violated": ("{detail}", "run `newsfacts validate` on the source and fix what it reports"),
            "foreign-key-violated": ("{detail}", "run `newsfacts validate` on the source and fix what it reports"),
            "ftm-missing": (
                "`--to ftm` needs the followthemoney library, and {module} cannot be imported",
                "`pip install 'newsfacts[ftm]'` (its PyICU builds against ICU: first install libicu-dev, pkg-config)",
            ),
            "ftm-refused": (
                "FollowTheMoney refuses {detail}",
                "run `newsfacts validate` on the source; a value that FollowTheMoney cannot take (docs/ftm.md) "
                "must change before the package exports to it",
            ),
        },
        "output": {
            "output-exists": ("{detail}", "choose another OUTPUT, or pass --force to replace it"),
            "target-exists": ("{detail} already exists and is not empty", "choose another --to, or empty the folder"),
            "report-target": (
                "refusing to replace {detail}: it is not empty and not a report written by `newsfacts report`",
                "choose another --out, or empty the folder",
            ),
            "site-target": (
                "refusing to replace {detail}: {reason}",
                "choose another --out: an empty folder, a new one, or a site `newsfacts site` wrote",
            ),
        },
        "write": {
            "write-failed": ("could not write: {reason}", "check the folder's permissions, then run the command again"),
            "disk-full": ("the disk is full ({reason})", "free some space, then run the command again"),
        },
        "coverage": {
            "article-unknown": (
                "no valid article {article!r} in the package; it has {names}",
                "give one of the article ids listed (articles.article_id)",
            ),
            "seed-unreadable": (
                "the seed of {article} cannot be read, so nothing can be found in it",
                "fix the seed file first; `newsfacts validate` says what is wrong with it",
            ),
        },
        "add": {
            "kind-unknown": (
                "no kind of row {kind!r}{suggestion}",
                "`newsfacts add --help` lists the kinds: article, entity, mention, quote, event, …",
            ),
            "field-unknown": (
                "a row of kind {kind!r} has no field {field_name!r}{suggestion}",
                "`newsfacts add KIND --help` lists the fields; offsets are never given, only the text",
            ),
            "field-required": (
                "a row of kind {kind!r} needs its {field_name} to find its span",
                "give the article (--article-id) and the text exactly as the seed prints it (--text)",
            ),
            "span-not-found": (
                "{text!r} does not occur in the seed{nearest}",
                "copy the text from the seed exactly, curly quotes and dashes included",
            ),
            "span-inside-word": (
                "{text!r} occurs in the seed only inside longer words: {words}",
                "give the whole word as printed (a span starts and ends on word boundaries)",
            ),
            "span-ambiguous": (
                "{text!r} occurs {count} times in the seed: {places}",
                "say which: --occurrence N (1 is the first) or --context with words around it "
                "(in a batch file: occurrence: or context:)",
            ),
            "occurrence-out-of-range": (
                "occurrence {occurrence} of {text!r} asked for, but it occurs {count} time(s)",
                "count occurrences from 1, in reading order; `newsfacts locate` lists them",
            ),
            "context-not-found": (
                "the context {context!r} occurs {count} times in the seed, not once",
                "give a context copied from the seed that occurs exactly once and holds the text",
            ),
            "context-without-text": (
                "the context {context!r} does not hold {text!r} as a whole word",
                "give words of the seed around the text, the text itself included",
            ),
            "input-unreadable": (
                "cannot read {detail}",
                "give the path of a regular file you can read (exit status 2: nothing was examined)",
            ),
            "seed-required": (
                "an article needs its seed text file",
                "give the path of the article's text: `newsfacts add article PATH …`",
            ),
            "seed-line-ends": (
                "the text has a carriage return (CR, Windows or old Mac line ends) on line {line_number}",
                "convert the file to LF line ends (e.g. `dos2unix FILE`), keeping every other character",
            ),
            "seed-empty": ("the text is empty", "give the file holding the article's text"),
            "seed-duplicate": (
                "this text is already in the package, as {article}",
                "add rows to {article} instead of adding its text again",
            ),
            "package-changed": (
                "the file changed while `newsfacts add` was adding rows, so nothing was written",
                "run the same `newsfacts add` again: it reads the file as it is now",
            ),
            "batch-invalid": (
                "the batch file cannot be read: {detail}",
                "write a YAML list of mappings, each with `add: KIND` and the row's fields (see CONTRIBUTING.md)",
            ),
        },
        "usage": {
            "usage-error": ("{detail}", "see `newsfacts --help`, or `newsfacts COMMAND --help`"),
        },
        "install": {
            "toolkit-missing": (
                "`newsfacts {command}` needs the validation toolkit, and {modules} cannot be imported",
                f"{toolkit.INSTALL} (`newsfacts.load()`, `export` and `locate` need only `pip install newsfacts`)",
            ),
        },
        "internal": {
            "internal-error": (
                "newsfacts failed unexpectedly ({detail})",
                "a bug: please report it with the command you ran (NEWSFACTS_TRACEBACK=1 shows where it failed)",
            ),
        },
    }
)


def codes(*groups: str) -> frozenset[str]:
    """The codes of these groups."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown group(s) {sorted(unknown)}")
    return frozenset(code for code, entry in CATALOGUE.items() if entry.group in groups)


# Codes that mean an operation could not run, rather than that it found problems in the data.
# A library that a format needs and that is not installed (ftm-missing) is one too.
COULD_NOT_RUN = codes("write") | {"ftm-missing"}
# Codes whose fix is `newsfacts build`: a file it writes disagrees with the CSVs. While a row is in
# error, build refuses to run, so `validate` holds these back (validate.without_consequences).
FIXED_BY_BUILD = frozenset({"byte-count", "hash-mismatch", "descriptor-mismatch", "json-stale", "json-schema"})
# At most this many near ids or values are suggested, each at least this similar (difflib's ratio).
SUGGESTIONS, SIMILARITY = 3, 0.6


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` naming the known values most like `value` (one that contains it
    counts, so `adeyemo` finds `wally-adeyemo`), or nothing when none is close."""
    choices = sorted(set(known))
    close = difflib.get_close_matches(value, choices, n=SUGGESTIONS, cutoff=SIMILARITY)
    if len(value) >= 3:
        close += [choice for choice in choices if value in choice and choice not in close]
    if not close:
        return ""
    return f"; did you mean {' or '.join(repr(choice) for choice in close[:SUGGESTIONS])}?"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    field: str | None
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line or ''}:{self.field or ''}: {self.code}: {self.message}"

    @property
    def hint(self) -> str:
        return CATALOGUE[self.code].hint

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hint": self.hint}


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it lies below it, else absolute."""
    if isinstance(path, str) and "://" in path:  # a URL: Path would fold its `//`
        return path
    path = Path(path)
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a vanished cwd
        return str(path)


def problem(code: str, path: Path | str, line: int | None = None, field: str | None = None, **values: Any) -> Problem:
    """Build a Problem from the catalogue; an unknown code is a programming error."""
    template = CATALOGUE[code].template
    return Problem(display_path(path), line, field, code, template.format(**values))


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """The problems without repeats, by file, line, field, code and message: the order every command prints."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.field or "", p.code, p.message))


def write_problem(path: Path | str, error: OSError) -> Problem:
    """`disk-full` when the disk is full, else `write-failed`, with the operating system's reason."""
    code = "disk-full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "write-failed"
    return problem(code, path, reason=error.strerror or str(error))


def exit_status(problems: Sequence[Problem]) -> int:
    """0 without problems, 2 when an operation could not run (a file could not be written), else 1."""
    if not problems:
        return 0
    return 2 if any(item.code in COULD_NOT_RUN for item in problems) else 1


class NewsfactsError(Exception):
    """The one exception newsfacts raises for a problem it names: a catalogued code, what is wrong, and where.

    `newsfacts.LoadError` is another name for it. `problem` is the same as a `Problem`, as `validate`
    would report it; str() is that problem's line, or `code: message` where the place is not known.
    """

    def __init__(
        self, code: str, message: str, path: Path | str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        if code not in CATALOGUE:
            raise ValueError(f"{code!r} is not in the catalogue (problems.CATALOGUE)")
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.field = field

    @classmethod
    def of(
        cls, code: str, path: Path | str, line: int | None = None, field: str | None = None, **values: Any
    ) -> NewsfactsError:
        """The error for a problem worded by the catalogue's template, as `problem()` words it."""
        return cls.from_problem(problem(code, path, line, field, **values))

    @classmethod
    def from_problem(cls, found: Problem) -> NewsfactsError:
        return cls(found.code, found.message, found.path, found.line, found.field)

    @property
    def problem(self) -> Problem:
        path = "" if self.path is None else display_path(self.path)
        return Problem(path, self.line, self.field, self.code, self.message)

    def __str__(self) -> str:
        return self.problem.format() if self.path is not None else f"{self.code}: {self.message}"


def catalogue_markdown() -> str:
    """docs/problems.md: every code by group, with its message and hint."""
    lines = [
        "<!-- Generated by `newsfacts build` from src/newsfacts/problems.py (CATALOGUE); do not edit. -->",
        "",
        "# Problem codes",
        "",
        "Every problem newsfacts reports, and every error it raises (`newsfacts.NewsfactsError`, also",
        "named `newsfacts.LoadError`), has one of these codes, in one of the groups below. A problem",
        "prints as `path:line:field: code: message`, and a `hint:` line for its code follows;",
        "`--format json` gives the hint as `hint`. In a message, `{name}` stands for what is filled in.",
    ]
    for group, meaning in GROUPS.items():
        lines += ["", f"## {group}", "", meaning, "", "| code | message | hint |", "|---|---|---|"]
        for code, entry in CATALOGUE.items():
            if entry.group == group:
                message = re.sub(r"\{(\w+)![rs]\}", r"{\1}", entry.template)
                lines.append(f"| `{code}` | {table_cell(message)} | {table_cell(entry.hint)} |")
    return "\n".join(lines) + "\n"
