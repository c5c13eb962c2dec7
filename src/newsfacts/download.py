"""`newsfacts download`: fetch a release artefact, verify it against SHA256SUMS, unpack and validate it.

Everything happens in a scratch folder beside the target, which is renamed into place only
once the zip's hash, its entries and the package inside have all passed; on any failure the
scratch folder is removed and the target is left as it was.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import secrets
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from .archive import MAX_TOTAL_BYTES
from .fetch import DEADLINE_SECONDS, fetch
from .pack import unpack_release
from .package import Layout
from .problems import NewsfactsError, Problem, problem, write_problem
from .source import PACKAGE_FOLDER
from .validate import validate

# Where releases are published: the assets of a GitHub release, one per `v<version>` tag.
# NEWSFACTS_RELEASES_URL overrides it for mirrors and forks.
RELEASES_URL = os.environ.get("NEWSFACTS_RELEASES_URL", "https://github.com/newsfacts/newsfacts/releases")
MAX_SUMS_BYTES = 1 << 20
# A zip may not unpack to more than MAX_TOTAL_BYTES, and deflate never makes a file much larger.
MAX_ZIP_BYTES = MAX_TOTAL_BYTES


@dataclass
class DownloadResult:
    package_dir: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def default_base_url(version: str | None) -> str:
    """The folder of a version's assets; without a version, the latest release's."""
    return f"{RELEASES_URL}/download/v{version}/" if version else f"{RELEASES_URL}/latest/download/"


def pick_entry(sums: str, version: str | None) -> tuple[str, str] | None:
    """(sha256, zip name) from SHA256SUMS: the zip of VERSION, or the only zip listed."""
    entries = []
    for line in sums.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*").endswith(".zip"):
            entries.append((parts[0].lower(), parts[1].lstrip("*")))
    if version:
        entries = [entry for entry in entries if entry[1].endswith(f"-{version}.zip")]
    return entries[0] if len(entries) == 1 else None


def download(
    version: str | None, to: Path | None, base_url: str | None, deadline_seconds: float = DEADLINE_SECONDS
) -> DownloadResult:
    """Fetch, verify, unpack and validate a release into TO; DEADLINE_SECONDS bounds each of the two fetches."""
    base = base_url or default_base_url(version)
    base = base if base.endswith("/") else base + "/"
    sums_url = base + "SHA256SUMS"
    try:
        buffer = io.BytesIO()
        fetch(sums_url, MAX_SUMS_BYTES, buffer, deadline_seconds)
        sums = buffer.getvalue()
    except (OSError, ValueError) as error:  # URLError and HTTPError are OSErrors
        return DownloadResult(problems=[problem("download-failed", sums_url, detail=str(error))])
    entry = pick_entry(sums.decode("utf-8", errors="replace"), version)
    if entry is None:
        wanted = f"the zip of version {version}" if version else "exactly one zip"
        return DownloadResult(problems=[problem("checksum-missing", sums_url, detail=wanted)])
    expected, name = entry
    if "/" in name or "\\" in name:
        return DownloadResult(problems=[problem("checksum-missing", sums_url, detail=f"an unsafe name {name!r}")])
    target = to or Path(name.removesuffix(".zip"))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return DownloadResult(problems=[problem("target-exists", target, detail=str(target))])
    # The scratch folder is made inside the `try`, under a name chosen before it, so that a signal
    # landing just after it is made (SIGINT, SIGTERM) still reaches the `finally` that removes it.
    scratch = target.parent / f".{target.name}.{secrets.token_hex(8)}"
    ours = True
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch.mkdir(mode=0o700)
    except FileExistsError as error:  # 64 random bits collided: someone else's folder, never removed
        ours = False
        return DownloadResult(problems=[write_problem(target.parent, error)])
    except OSError as error:
        return DownloadResult(problems=[write_problem(target.parent, error)])
    else:
        return _verify_and_unpack(base + name, expected, scratch, target, deadline_seconds)
    finally:
        if ours:
            shutil.rmtree(scratch, ignore_errors=True)


def _verify_and_unpack(url: str, expected: str, scratch: Path, target: Path, deadline_seconds: float) -> DownloadResult:
    zip_path = scratch / "artefact.zip"
    try:
        with zip_path.open("wb") as sink:
            fetch(url, MAX_ZIP_BYTES, sink, deadline_seconds)
    except (OSError, ValueError) as error:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return DownloadResult(problems=[write_problem(target, error)])
        return DownloadResult(problems=[problem("download-failed", url, detail=str(error))])
    with zip_path.open("rb") as handle:
        actual = hashlib.file_digest(handle, "sha256").hexdigest()
    if actual != expected:
        return DownloadResult(problems=[problem("checksum-mismatch", url, expected=expected, actual=actual)])
    unpacked = scratch / "package"
    try:
        package_dir, _ = unpack_release(zip_path, unpacked)
    except NewsfactsError as error:  # reported at the URL: the zip itself is a scratch file
        return DownloadResult(problems=[replace(error.problem, path=url)])
    except OSError as error:  # only writing can fail here: reading the zip is NewsfactsError
        return DownloadResult(problems=[write_problem(target, error)])
    problems = validate(Layout(package_dir))
    if problems:
        return DownloadResult(problems=[problem("download-invalid", url, count=len(problems)), *problems])
    try:
        if target.exists():
            target.rmdir()  # checked empty above
        unpacked.rename(target)
    except OSError as error:
        return DownloadResult(problems=[write_problem(target, error)])
    return DownloadResult(package_dir=target / PACKAGE_FOLDER)
