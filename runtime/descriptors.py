"""File descriptors: the process's limit, how many are in use, and raising the limit.

A server that accepts every connection it is offered runs out of descriptors (a systemd
service gets a soft limit of 1024 by default) and then cannot open its database, a photo or a
socket to the gateway. The program raises its soft limit to the hard one at start and keeps
its connections under what is left; when a descriptor still cannot be had, that is a
transient shortage (retry later), not a bug.
"""

from __future__ import annotations

import contextlib
import errno
import os

from runtime.errors import causes

try:
    import resource
except ImportError:  # not on every platform
    resource = None  # type: ignore[assignment]

SHORTAGE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE})
# In use within this many of the limit counts as running out: an error that does not carry its
# errno (SQLite's "unable to open database file") came from a shortage if we are this close.
NEAR_LIMIT = 16


def limit() -> int | None:
    """The soft limit of open descriptors (None: unknown on this platform)."""
    if resource is None:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def raise_limit() -> tuple[int | None, int | None]:
    """Raise the soft limit to the hard limit where allowed; (before, after)."""
    if resource is None:
        return None, None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        with contextlib.suppress(ValueError, OSError):  # not allowed: keep the soft one
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return soft, limit()


def in_use() -> int | None:
    """Descriptors open in this process (None: cannot tell on this platform)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder)) - 1  # listing the folder opens one
        except OSError:
            continue
    return None


def is_shortage(error: BaseException) -> bool:
    """Did `error` (or anything in its causes, contexts and groups) fail for want of a
    descriptor, by its errno (EMFILE, ENFILE)?"""
    return any(
        isinstance(each, OSError) and each.errno in SHORTAGE_ERRNOS for each in causes(error)
    )


def near_limit() -> bool:
    """Is the process within a few descriptors of its limit? (For errors that do not carry
    their errno, such as SQLite's "unable to open database file".)"""
    ceiling, used = limit(), in_use()
    return ceiling is not None and used is not None and used >= ceiling - NEAR_LIMIT
