"""Replace a set of files so that a crash or a kill leaves either all the old ones or all the new.

Each changed file is first written to a hidden temporary sibling (`.<name>.<random>.tmp`) and
flushed to disk. Then a journal, `.newsfacts.journal` in the folder that holds every output,
records each rename to come with the sha256 of the target's old and new bytes; it is written to
a temporary file and renamed too, so it is either complete or absent. Then the temporary files
are renamed over their targets, and the journal is removed.

A run killed before the journal exists has changed no target: the next write into the folder
removes its temporary files. A run killed after that leaves the journal: the next write first
finishes its renames (`roll_forward`), so the files become the new ones. `leftovers` finds both
without changing anything, so that `newsfacts validate` can report them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .problems import Problem, write_problem
from .tables import parse_json, read_regular

JOURNAL = ".newsfacts.journal"
# The names mkstemp gives temporary files here: "." + the target's name + 8 random characters + ".tmp".
TEMP_NAME = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")

# Test seam (tests/test_build.py): NEWSFACTS_KILL_AT_STEP=N kills the process, as a power cut or
# `kill -9` would, just before the N-th step (counted from 0) of its writes. A step is writing one
# temporary file, writing the journal, one rename, or removing the journal.
KILL_AT_STEP = "NEWSFACTS_KILL_AT_STEP"
_steps = itertools.count()


def _step() -> None:
    if os.environ.get(KILL_AT_STEP) == str(next(_steps)):
        os._exit(137)


@dataclass(frozen=True)
class Leftovers:
    """What killed writes left in a folder: the journal of an unfinished one, and stray temporary files."""

    journal: Path | None
    temps: list[Path]


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


# The largest file read back here: generated tables of a million rows stay well below it.
MAX_READ_BYTES = 2 << 30


def read_existing(path: Path) -> bytes | None:
    """A file's bytes, None where there is no file; OSError where something else is (a folder, a FIFO),
    so that a write refuses before it changes anything."""
    try:
        return read_regular(path, MAX_READ_BYTES)
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Name the target file in any OSError, so that a report says which file could not be written."""
    try:
        yield
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from error


def _fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable: a rename is only on disk once its folder is."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_temp(path: Path, data: bytes) -> Path:
    """A temporary sibling of `path` holding `data`, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, 0o644)  # mkstemp creates 0600; generated files are for everyone to read
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return Path(temp_name)


def _write_journal(journal: Path, data: bytes) -> None:
    """The journal appears whole or not at all, and is on disk before any target is replaced."""
    temp = write_temp(journal, data)
    try:
        os.replace(temp, journal)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(journal.parent)


def _rename_all(pairs: list[tuple[Path, Path]], journal: Path) -> None:
    for temp, target in pairs:
        _step()
        with _naming(target):
            os.replace(temp, target)
    for folder in sorted({target.parent for _, target in pairs}):
        _fsync_folder(folder)
    _step()
    with _naming(journal):
        journal.unlink()
        _fsync_folder(journal.parent)


def atomic_write_all(outputs: dict[Path, bytes], folder: Path) -> list[Path]:
    """Give every file of `outputs` (all below `folder`) its new bytes; return the files changed.

    An earlier write into `folder` that was killed is finished first (`roll_forward`). An OSError
    names the file it concerns; raised before the journal is written, it leaves every file as it
    was and no temporary file; after, the journal stays, and the next write finishes the renames.
    """
    rolled = roll_forward(folder, outputs)
    previous = {path: read_existing(path) for path in outputs}
    changed = {path: data for path, data in outputs.items() if previous[path] != data}
    if not changed:
        return rolled
    journal = folder / JOURNAL
    temps: list[Path] = []
    try:
        for path, data in changed.items():
            _step()
            with _naming(path):
                temps.append(write_temp(path, data))
        entries = [
            {
                "temp": path.with_name(temp.name).relative_to(folder).as_posix(),
                "target": path.relative_to(folder).as_posix(),
                "old": _sha256(previous[path]),
                "new": _sha256(data),
            }
            for temp, (path, data) in zip(temps, changed.items(), strict=True)
        ]
        _step()
        with _naming(journal):
            _write_journal(journal, (json.dumps(entries, indent=1) + "\n").encode("utf-8"))
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    _rename_all(list(zip(temps, changed, strict=True)), journal)
    return sorted({*rolled, *changed})


def write_new(files: dict[Path, bytes]) -> list[Problem]:
    """Write each file whole or not at all (a temporary sibling renamed over it), one after the other:
    for files that stand alone, such as a new seed, which no journal needs to tie to others."""
    for path, data in files.items():
        try:
            temp = write_temp(path, data)
            try:
                os.replace(temp, path)
            finally:
                temp.unlink(missing_ok=True)
            _fsync_folder(path.parent)
        except OSError as error:
            return [write_problem(path, error)]
    return []


def write_all(outputs: dict[Path, bytes], folder: Path) -> tuple[list[Path], list[Problem]]:
    """`atomic_write_all`, with an OSError as a problem (`disk-full` or `write-failed`) instead."""
    try:
        return atomic_write_all(outputs, folder), []
    except OSError as error:
        return [], [write_problem(error.filename or folder, error)]


def _journal_pairs(folder: Path, journal: Path, targets: set[Path]) -> list[tuple[Path, Path]]:
    """The renames a killed write left undone: those whose temporary file still holds the new bytes
    and whose target still holds the old ones (a target edited since is left alone). Only the
    files this write replaces anyway are renamed: a journal may come with a pull request, and must
    not reach any other file. Entries that are malformed or do not pair a target with its own
    temporary sibling are skipped.
    """
    try:
        entries = parse_json(read_regular(journal, MAX_READ_BYTES))
    except (OSError, ValueError):
        return []
    pairs = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in ("temp", "target")):
            continue
        temp, target = PurePosixPath(entry["temp"]), PurePosixPath(entry["target"])
        match = TEMP_NAME.match(temp.name)
        inside = not target.is_absolute() and ".." not in target.parts
        if not (inside and match and match["target"] == target.name and temp.parent == target.parent):
            continue
        temp_path, target_path = folder / temp, folder / target
        if target_path not in targets:
            continue
        with contextlib.suppress(OSError):  # what cannot be read is not renamed
            fresh = _sha256(read_existing(temp_path)) == entry.get("new")
            if fresh and _sha256(read_existing(target_path)) == entry.get("old"):
                pairs.append((temp_path, target_path))
    return pairs


def leftovers(folder: Path, targets: Iterable[Path]) -> Leftovers:
    """The journal in `folder`, if any, and the temporary files of `targets` and of the journal."""
    journal = folder / JOURNAL
    names: dict[Path, set[str]] = {folder: {JOURNAL}}
    for target in targets:
        names.setdefault(target.parent, set()).add(target.name)
    temps = []
    for parent, wanted in sorted(names.items()):
        if parent.is_dir():
            for path in sorted(parent.iterdir()):
                match = TEMP_NAME.match(path.name)
                if match and match["target"] in wanted and path.is_file():
                    temps.append(path)
    return Leftovers(journal if journal.is_file() else None, temps)


def roll_forward(folder: Path, targets: Iterable[Path]) -> list[Path]:
    """Finish the write a killed run left in `folder`'s journal, and remove the temporary files of
    `targets`; return the files replaced."""
    targets = set(targets)
    found = leftovers(folder, targets)
    pairs = _journal_pairs(folder, found.journal, targets) if found.journal is not None else []
    if found.journal is not None:
        _rename_all(pairs, found.journal)
    for temp in found.temps:
        temp.unlink(missing_ok=True)
    return [target for _, target in pairs]


def folder_replaceable(folder: Path, marker: str) -> bool:
    """True for a folder a command may fill whole: absent, empty, or holding its `marker` file (made by it before)."""
    if not folder.exists() and not folder.is_symlink():
        return True
    return folder.is_dir() and not folder.is_symlink() and ((folder / marker).is_file() or not any(folder.iterdir()))


def replace_folder(folder: Path, fill: Callable[[Path], None], marker: str, note: str) -> None:
    """Fill a new hidden folder beside `folder` (`fill` writes into it), mark it, then swap it for `folder`.

    A reader sees the old folder or the new one, never a half-written one; a fill that fails leaves
    `folder` as it was. Only for a folder `folder_replaceable` allows: the old one is deleted.
    """
    folder = folder.absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        fill(staging)
        (staging / marker).write_text(note, encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a static host serves it to everyone
        old = folder.with_name(f"{staging.name.removesuffix('.tmp')}.old")
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
