"""Fetching over http(s) with bounds on everything a server controls: size, and time as a whole."""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.request
from typing import BinaryIO

CHUNK = 1 << 20
# A socket timeout only bounds each wait; a server sending a byte now and then would never time out.
SOCKET_TIMEOUT_SECONDS = 60
DEADLINE_SECONDS = 30 * 60


class TooLarge(ValueError):
    """The server sent more bytes than the limit."""


def fetch(url: str, limit: int, sink: BinaryIO, deadline_seconds: float = DEADLINE_SECONDS) -> None:
    """Stream the bytes at URL into SINK, refusing more than LIMIT bytes or more than DEADLINE_SECONDS.

    Raises TooLarge, TimeoutError, another OSError (URLError and HTTPError are OSErrors), or
    ValueError for a URL that is not http(s).

    The fetch runs in a daemon thread that is given up at the deadline: a server can trickle its
    status line and headers a byte at a time, which urllib reads with no bound on the whole. A
    thread given up stops at its next write, which the caller's closed SINK refuses.
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"only http(s) URLs are fetched: {url}")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _stream(url, limit, sink, deadline_seconds)
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name="newsfacts-fetch", daemon=True)
    worker.start()
    worker.join(deadline_seconds)
    if worker.is_alive():
        raise TimeoutError(f"{url} took longer than {deadline_seconds} s")
    if failure:
        raise failure[0]


def _stream(url: str, limit: int, sink: BinaryIO, deadline_seconds: float) -> None:
    deadline = time.monotonic() + deadline_seconds
    with urllib.request.urlopen(url, timeout=min(SOCKET_TIMEOUT_SECONDS, deadline_seconds)) as response:
        size = 0
        # read1 returns what one receive brings, so that the deadline is checked however slowly bytes come.
        while chunk := response.read1(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{url} is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} took longer than {deadline_seconds} s")
            sink.write(chunk)
