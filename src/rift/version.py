"""The installed version of rift (a leaf: importing it loads nothing else)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rift")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
