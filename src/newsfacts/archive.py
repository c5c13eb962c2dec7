"""Release zips: written byte-for-byte reproducibly, and read without trusting their entries.

A zip's central directory can lie about names and sizes, so every entry is checked before it
is read (name, encryption, compression method, duplicates, count) and inflated in chunks with a
running count of the bytes it really yields, stopping at the limits below.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .limits import Limits
from .paths import MAX_PATH_CHARS
from .problems import NewsfactsError
from .progress import Progress

# A fixed timestamp and mode make the zip depend on the file contents only.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644

# What one zip may unpack to, whatever its headers claim. A release of the package is far below these.
MAX_ENTRY_BYTES = Limits().max_file_bytes
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10_000
CHUNK_BYTES = 1 << 20
# zipfile inflates bzip2 and lzma a whole compressed chunk at a time, with no bound on the output;
# deflate (what `zip_bytes` writes) is inflated to at most the bytes asked for.
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
ENCRYPTED_FLAG = 0x1


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of FILES (archive name -> bytes) in name order, with fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, Progress("packing", sum(map(len, files.values()))) as progress:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = 3  # Unix, whatever the packing machine, so the mode bits mean the same
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
            progress.advance(len(files[name]), label=f"packing {name}")
    return buffer.getvalue()


def _unsafe_name(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if ".." in parts:
        return "climbs out with `..`"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    if len(name.encode("utf-8")) > MAX_PATH_CHARS:  # the file system would refuse to create it (ENAMETOOLONG)
        return f"is a name longer than {MAX_PATH_CHARS} bytes"
    return None


def _name(archive: zipfile.ZipFile) -> str:
    """The zip's path, for the problem's location."""
    return archive.filename or "zip"


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip at PATH with its central directory read, or NewsfactsError."""
    try:
        return zipfile.ZipFile(path)
    except NotImplementedError as error:  # an entry made by a newer zip version than zipfile reads
        raise NewsfactsError.of("zip-unsupported", path, detail=f"not a zip this reads: {error}") from error
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as error:  # names flagged UTF-8 may not be
        raise NewsfactsError.of("zip-corrupt", path, detail=f"not a readable zip: {error}") from error


def checked_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries of ARCHIVE, once none is unsafe to name or to inflate; else NewsfactsError."""
    infos = archive.infolist()
    where = _name(archive)
    if len(infos) > MAX_ENTRIES:
        raise NewsfactsError.of("zip-too-large", where, detail=f"{len(infos)} entries, over the limit of {MAX_ENTRIES}")
    # Names that differ only in spelling ("a//b", "a/./b", "a/" and "a") land on the same file.
    seen: set[PurePosixPath] = set()
    for info in infos:
        reason = _unsafe_name(info)
        if reason:
            raise NewsfactsError.of("zip-slip", where, detail=f"entry {info.filename!r} {reason}")
        landing = PurePosixPath(info.filename.replace("\\", "/"))
        if landing in seen:
            raise NewsfactsError.of("zip-duplicate-entry", where, detail=f"entry {info.filename!r} appears twice")
        seen.add(landing)
        if info.flag_bits & ENCRYPTED_FLAG:
            raise NewsfactsError.of("zip-unsupported", where, detail=f"entry {info.filename!r} is encrypted")
        if info.compress_type not in READABLE_METHODS:
            method = f"compression method {info.compress_type}, not {' or '.join(READABLE_METHODS.values())}"
            raise NewsfactsError.of("zip-unsupported", where, detail=f"entry {info.filename!r} uses {method}")
    return infos


@dataclass
class InflateBudget:
    """The bytes one archive may still unpack to, shared by all the entries read from it."""

    remaining: int = MAX_TOTAL_BYTES

    def spend(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry_bytes: int, chunk_bytes: int) -> None:
        if entry_bytes > MAX_ENTRY_BYTES:
            detail = f"entry {info.filename!r} unpacks past the limit of {MAX_ENTRY_BYTES} bytes"
            raise NewsfactsError.of("zip-too-large", _name(archive), detail=detail)
        self.remaining -= chunk_bytes
        if self.remaining < 0:
            detail = f"the entries unpack past the limit of {MAX_TOTAL_BYTES} bytes"
            raise NewsfactsError.of("zip-too-large", _name(archive), detail=detail)


def entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: InflateBudget) -> Iterator[bytes]:
    """The bytes of an entry from `checked_entries`, inflated a chunk at a time and counted against BUDGET.

    A bad checksum or a broken stream is NewsfactsError zip-corrupt; the CRC is checked as the
    last chunk is read, so a caller writing the chunks out must discard them on any error. Only
    reading the zip is caught here: an error of the caller's, between two chunks, stays its own.
    """
    inflated = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                inflated += len(chunk)
                budget.spend(archive, info, inflated, len(chunk))
                yield chunk
    except NotImplementedError as error:  # a local header asking for a feature zipfile lacks
        raise NewsfactsError.of(
            "zip-unsupported", _name(archive), detail=f"entry {info.filename!r}: {error}"
        ) from error
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, UnicodeDecodeError) as error:
        # OSError: an offset past either end of the file
        raise NewsfactsError.of("zip-corrupt", _name(archive), detail=f"entry {info.filename!r}: {error}") from error


def extract_zip(path: Path, into: Path, in_layout: Callable[[str], bool]) -> None:
    """Extract every entry below INTO, after checking every entry, and that IN_LAYOUT accepts its name.

    INTO must be a scratch folder, removed on any error: an entry can turn out damaged or too large
    only once it is read, after the entries before it were written. Errors writing INTO (a full
    disk) are raised as the OSError they are; a zip that cannot be read is NewsfactsError.
    """
    with open_zip(path) as archive:
        infos = checked_entries(archive)
        outside = [info.filename for info in infos if not in_layout(info.filename)]
        if outside:
            detail = f"entry {outside[0]!r} is not part of a release"
            raise NewsfactsError.of("zip-unexpected-entry", path, detail=detail)
        budget = InflateBudget()
        for info in infos:
            target = into / info.filename
            if not target.resolve().is_relative_to(into.resolve()):
                raise NewsfactsError.of("zip-slip", path, detail=f"entry {info.filename!r} resolves outside the target")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as sink:
                for chunk in entry_chunks(archive, info, budget):
                    sink.write(chunk)
