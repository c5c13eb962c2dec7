"""newsfacts: a curated, versioned data package of news coverage, and the toolkit that checks it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsfacts")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
