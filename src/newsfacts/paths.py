"""Resource paths from untrusted descriptors: which ones may be read at all."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Longer than any path the package writes; longer ones make the OS refuse to open them (ENAMETOOLONG).
MAX_PATH_CHARS = 255


def resource_path_problem(path: Any) -> str | None:
    """Why a resource path may not be read, or None for a relative path inside the package.

    Only the text of the path is judged here; a symlink that leads out is the caller's check,
    since only the caller knows the folder the path is resolved in.
    """
    if not isinstance(path, str) or not path:
        return "path must be a non-empty string (a list of paths is not supported)"
    if len(path) > MAX_PATH_CHARS or any(ord(character) < 0x20 or character == "\x7f" for character in path):
        return f"{path[:MAX_PATH_CHARS]!r} is not a plain file path (control characters, or too long)"
    if URL_SCHEME.match(path) or path.startswith("//"):
        return f"{path} is a URL; only relative paths inside the package are read"
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path:
        return f"{path} is absolute"
    if ".." in pure.parts:
        return f"{path} climbs out with '..'"
    if any(part.startswith(".") for part in pure.parts):
        return f"{path} points into a hidden file or folder"
    return None
