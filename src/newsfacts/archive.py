"""Release zips: written byte-for-byte reproducibly, and read without trusting their entry names."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .progress import Progress

# A fixed timestamp and mode make the zip depend on the file contents only.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644


class UnsafeArchiveError(Exception):
    """The zip is corrupt (`code` zip-corrupt) or names a path outside its folder (zip-slip)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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
    return None


def extract_zip(path: Path, into: Path) -> list[Path]:
    """Extract every entry below INTO, after checking every name and checksum.

    Nothing is extracted from a zip with an unsafe name or a bad checksum; INTO should still be a
    scratch folder, since the disk can fail midway.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                reason = _unsafe_name(info)
                if reason:
                    raise UnsafeArchiveError("zip-slip", f"entry {info.filename!r} {reason}")
            damaged = archive.testzip()
            if damaged is not None:
                raise UnsafeArchiveError("zip-corrupt", f"entry {damaged!r} fails its CRC check")
            written = []
            for info in infos:
                target = into / info.filename
                if not target.resolve().is_relative_to(into.resolve()):
                    raise UnsafeArchiveError("zip-slip", f"entry {info.filename!r} resolves outside the target")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(info))
                written.append(target)
            return written
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
        raise UnsafeArchiveError("zip-corrupt", f"not a readable zip: {error}") from error
