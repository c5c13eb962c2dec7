"""Hostile release zips and hostile servers: refused with a code by `download`, `diff` and `load`, nothing left."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from newsfacts import NewsfactsError
from newsfacts.archive import MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES
from newsfacts.cli import main
from newsfacts.diff import diff_sides
from newsfacts.download import download
from newsfacts.fetch import fetch
from newsfacts.loader import load

from .conftest import ROOT, fixture_root

NAME = "newsfacts-1.0.0.zip"
DESCRIPTOR = "datapackage/datapackage.json"
MEBIBYTE = b"\0" * (1 << 20)


def deflated(archive: zipfile.ZipFile, name: str, mebibytes: int) -> None:
    """An entry of MEBIBYTES MiB of zeros, streamed in, so that building a bomb takes little memory."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as entry:
        for _ in range(mebibytes):
            entry.write(MEBIBYTE)


def one_entry_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        deflated(archive, DESCRIPTOR, MAX_ENTRY_BYTES // len(MEBIBYTE) + 1)


def many_entries_bomb(path: Path) -> None:
    """Each entry within its limit, all of them together past the total."""
    per_entry = MAX_ENTRY_BYTES // len(MEBIBYTE) - 1
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(MAX_TOTAL_BYTES // MAX_ENTRY_BYTES + 2):
            deflated(archive, f"datapackage/data/part-{index}.csv", per_entry)


def too_many_entries(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(MAX_ENTRIES + 1):
            archive.writestr(f"seeds/{index}.txt", b"")


def duplicate_name(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns, and writes both
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.writestr(DESCRIPTOR, b'{"resources": [], "evil": true}')


def duplicate_spelling(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.writestr(DESCRIPTOR.replace("/", "//"), b'{"resources": [], "evil": true}')


def outside_the_layout(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.writestr("bin/run.sh", b"echo pwned\n")


def encrypted(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.infolist()[-1].flag_bits |= 0x1  # written into the central directory on close


def unknown_method(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.infolist()[-1].compress_type = 99


def newer_zip_version(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.infolist()[-1].extract_version = 99


def too_long_a_name(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}')
        archive.writestr(f"datapackage/data/{'a' * 300}.csv", b"")  # longer than a file system takes


def corrupt_deflate(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DESCRIPTOR, b'{"resources": []}' * 100)
        info = archive.infolist()[-1]
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename)  # the local header has no extra field here
    data[start : start + 8] = b"\xff" * 8  # a reserved block type
    path.write_bytes(bytes(data))


# hostile zip -> (code from `download`, from `load` when True, and inside `diff`'s side-unreadable).
# Each spoils the descriptor, the one entry `load` always reads, or adds entries refused before any is read.
HOSTILE_ZIPS = [
    (one_entry_bomb, "zip-too-large", True),
    (too_many_entries, "zip-too-large", True),
    (duplicate_name, "zip-duplicate-entry", True),
    (duplicate_spelling, "zip-duplicate-entry", True),
    (outside_the_layout, "zip-unexpected-entry", False),  # `load` reads a zip a user made, too
    (encrypted, "zip-unsupported", True),
    (unknown_method, "zip-unsupported", True),
    (newer_zip_version, "zip-unsupported", True),
    (too_long_a_name, "zip-slip", True),
    (corrupt_deflate, "zip-corrupt", True),
]


def publish(site: Path, make_zip: Callable[[Path], None]) -> Path:
    """SITE holding a zip made by MAKE_ZIP and the SHA256SUMS that vouches for it, as a mirror could."""
    site.mkdir(exist_ok=True)
    make_zip(site / NAME)
    digest = hashlib.sha256((site / NAME).read_bytes()).hexdigest()
    (site / "SHA256SUMS").write_text(f"{digest}  {NAME}\n", encoding="utf-8")
    return site / NAME


def download_codes(site: Path, landing: Path, serve: Callable[[Path], str]) -> list[str]:
    landing.mkdir()
    result = download("1.0.0", landing / "got", serve(site))
    assert list(landing.iterdir()) == []  # neither the target nor the scratch folder
    return [p.code for p in result.problems]


# Only `download` is shown the bomb of many entries: it writes half a gigabyte before the limit stops it.
@pytest.mark.parametrize(
    ("make_zip", "code"),
    [*((make_zip, code) for make_zip, code, _ in HOSTILE_ZIPS), (many_entries_bomb, "zip-too-large")],
)
def test_download_refuses_a_hostile_zip(
    make_zip: Callable[[Path], None], code: str, tmp_path: Path, serve_directory: Callable[[Path], str]
) -> None:
    publish(tmp_path / "site", make_zip)
    assert download_codes(tmp_path / "site", tmp_path / "landing", serve_directory) == [code]


@pytest.mark.parametrize(("make_zip", "code", "load_refuses"), HOSTILE_ZIPS)
def test_diff_and_load_refuse_a_hostile_zip(
    make_zip: Callable[[Path], None], code: str, load_refuses: bool, tmp_path: Path
) -> None:
    archive = publish(tmp_path, make_zip)
    with pytest.raises(NewsfactsError) as refused:
        diff_sides(str(archive), str(fixture_root("minimal-valid")), ROOT)
    assert (refused.value.problem.code, refused.value.problem.path) == ("side-unreadable", str(archive))
    assert f"{code}:" in refused.value.problem.message
    if load_refuses:
        with pytest.raises(NewsfactsError) as caught:
            load(archive)
        assert (caught.value.code, caught.value.problem.path) == (code, str(archive))


def test_load_accepts_entries_outside_the_release_layout(tmp_path: Path) -> None:
    """A zip a user made, with the package in a top folder: only `download` and `diff` insist on the release."""
    with zipfile.ZipFile(tmp_path / "mine.zip", "w") as archive:
        for file in sorted((ROOT / "datapackage").rglob("*")):
            if file.is_file():
                archive.write(file, "mine/" + file.relative_to(ROOT).as_posix())
    assert set(load(tmp_path / "mine.zip")) == set(load())


class Trickle(BaseHTTPRequestHandler):
    """SHA256SUMS at once, then any other file a byte at a time, slowly, until the test sets `stop`."""

    stop = threading.Event()
    pause_seconds = 0.2

    def do_GET(self) -> None:
        if self.path.endswith("slow-headers"):
            self.trickle_headers()
            return
        slow = not self.path.endswith("SHA256SUMS")
        body = b"PK" * 5000 if slow else f"{'0' * 64}  {NAME}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        pieces = [body[index : index + 1] for index in range(len(body))] if slow else [body]
        try:
            for piece in pieces:
                if slow and self.stop.wait(self.pause_seconds):
                    return
                self.wfile.write(piece)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            return

    def trickle_headers(self) -> None:
        """A status line, then a header that never ends, a byte at a time: each byte resets a socket timeout."""
        try:
            self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
            while not self.stop.wait(self.pause_seconds):
                self.wfile.write(b"x")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def trickling_server() -> Iterator[str]:
    Trickle.stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    Trickle.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_trickling_server_meets_the_overall_deadline(trickling_server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = download("1.0.0", tmp_path / "got", trickling_server, deadline_seconds=1)
    assert [p.code for p in result.problems] == ["download-failed"]
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []


def test_a_server_trickling_its_headers_meets_the_deadline_too(trickling_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch(trickling_server + "slow-headers", 1000, io.BytesIO(), deadline_seconds=1)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_download_leaves_no_scratch_folder(signum: int, trickling_server: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "newsfacts", "download", "--version", "1.0.0", "--to", str(tmp_path / "got")]
    child = subprocess.Popen([*command, "--from", trickling_server], stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):  # the scratch folder appears once SHA256SUMS is read: seconds at most
            if list(tmp_path.glob(".got.*")) or child.poll() is not None:
                break
            time.sleep(0.05)
        assert list(tmp_path.glob(".got.*")), "the download never started"
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 128 + signum
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def refuse_creation(monkeypatch: pytest.MonkeyPatch, refused: Callable[[Path], bool], error: int) -> None:
    """The file system says ERROR to every new file or folder that REFUSED picks, as a full or read-only disk does."""
    real_mkdir, real_open = os.mkdir, Path.open

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if refused(Path(path)):
            raise OSError(error, os.strerror(error), str(path))
        real_mkdir(path, *args, **kwargs)

    def open_path(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode.strip("bt") != "r" and refused(path):
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(Path, "open", open_path)


def small_release(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("CHANGELOG.md", b"# Changelog\n")


# what breaks: (which new files and folders the disk refuses, given the landing folder; the error) -> the problem
BROKEN_DISKS: list[tuple[Callable[[Path, Path], bool], int, str]] = [
    (lambda path, landing: path.is_relative_to(landing), errno.EROFS, "write-failed"),
    (lambda path, landing: path.is_relative_to(landing) and path.suffix == ".zip", errno.ENOSPC, "disk-full"),
    (lambda path, landing: path.name == "CHANGELOG.md", errno.ENOSPC, "disk-full"),
]


@pytest.mark.parametrize(("refused", "error", "code"), BROKEN_DISKS, ids=["read-only", "full-at-zip", "full-at-entry"])
def test_a_disk_that_refuses_writes_is_reported_as_such(
    refused: Callable[[Path, Path], bool],
    error: int,
    code: str,
    tmp_path: Path,
    serve_directory: Callable[[Path], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish(tmp_path / "site", small_release)
    landing = tmp_path / "landing"
    landing.mkdir()
    base_url = serve_directory(tmp_path / "site")
    refuse_creation(monkeypatch, lambda path: refused(path, landing), error)
    assert main(["download", "--to", str(landing / "got"), "--from", base_url, "--format", "json"]) == 2
    assert [p["code"] for p in json.loads(capsys.readouterr().out)] == [code]
    assert list(landing.iterdir()) == []
