"""The showroom program: configuration, the supervision tree and the `showroom` command."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("showroom")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
