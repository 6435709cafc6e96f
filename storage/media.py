"""The photo store: files under `<media dir>/<tenant>/<aa>/<content hash>.<ext>`.

A file is written to a temporary name, fsynced, renamed into place and its folder fsynced
*before* the database row that points at it commits, so a committed row never points at a
missing or half-written file. Equal content gets the same name (written once). A file that no
row points at (a cancelled upload, a crash between file and row) is removed by `sweep` once
it is older than an hour. Every path component is checked: nothing can leave the media folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from storage.errors import MediaUnusable, UnsafePath

log = logging.getLogger("showroom.media")

ORPHAN_AGE_S = 3600.0
TEMP_SUFFIX = ".tmp"

_TENANT = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}(?:-[a-z0-9]{1,12})?\.(?:jpg|jpeg|png|webp|bin)$")
_EXTENSION = re.compile(r"^(?:jpg|jpeg|png|webp|bin)$")  # bin: a photo as it came, unchecked
INBOUND = "inbound"  # the variant of a photo as a gateway sent it inline, before the pipeline
_VARIANT = re.compile(r"^[a-z0-9]{1,12}$")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MediaStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def check_usable(self) -> None:
        """Create the folder if needed, and make sure showroom may write in it (at start:
        else every photo would fail, each only with a line in the log). Raises MediaUnusable.
        Free space is not checked: a full disk passes, and photos wait for it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MediaUnusable(
                f"media.dir {self.root}: cannot create it ({exc.strerror}): it must be a folder "
                "showroom may write, or a path where one can be made"
            ) from None
        if not self.root.is_dir():
            raise MediaUnusable(f"media.dir {self.root}: not a folder (set it to a folder)")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise MediaUnusable(
                f"media.dir {self.root}: showroom may not write there (give the user running "
                "it write access, or set another folder)"
            )

    def put(self, tenant: str, data: bytes, extension: str, variant: str = "") -> str:
        """Store `data` durably; returns its name relative to the tenant's folder
        (`ab/abcdef...-thumb.jpg`). Blocking: call it from a worker thread."""
        if not _EXTENSION.match(extension):
            raise UnsafePath(f"file extension {extension!r} is not allowed")
        if variant and not _VARIANT.match(variant):
            raise UnsafePath(f"size name {variant!r} is not allowed")
        digest = content_hash(data)
        name = f"{digest[:2]}/{digest}{'-' + variant if variant else ''}.{extension}"
        final = self.path(tenant, name)
        if final.exists() and final.stat().st_size == len(data):
            os.utime(final)  # young again: a sweep running now must not take it
            return name
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = final.with_name(
            f"{final.name}.{os.getpid()}.{time.monotonic_ns()}{TEMP_SUFFIX}"
        )
        try:
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_directory(final.parent)
        return name

    def path(self, tenant: str, name: str) -> Path:
        """The file's path, after checking that neither part can leave the media folder."""
        if not _TENANT.match(tenant):
            raise UnsafePath(f"tenant folder {tenant!r} is not a valid name")
        if not _NAME.match(name):
            raise UnsafePath(f"photo name {name!r} is not a valid name")
        # The patterns leave no "..": only a symbolic link could lead out, so each of the three
        # components is checked for one (cheaper than resolving the whole path, a hot path).
        path = self.root / tenant / name
        for part in (path.parent.parent, path.parent, path):
            if os.path.islink(part):
                raise UnsafePath(f"photo {tenant}/{name} would leave the media folder")
        return path

    def check_writable(self) -> str | None:
        """Can a photo be written? None, or why not (a file is made and removed again: the
        only test that also catches a read-only mount, a full disk or a folder's owner).
        Blocking: call it from a worker thread."""
        probe = self.root / f".health-{os.getpid()}{TEMP_SUFFIX}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(probe, "wb") as file:
                file.write(b"showroom")
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            return f"{exc.strerror or exc} ({self.root})"
        finally:
            with contextlib.suppress(OSError):
                probe.unlink(missing_ok=True)
        return None

    def remove(self, tenant: str, name: str) -> None:
        self.path(tenant, name).unlink(missing_ok=True)

    def sweep(
        self,
        referenced: Iterable[tuple[str, str]],
        *,
        now: float | None = None,
        older_than_s: float = ORPHAN_AGE_S,
    ) -> list[Path]:
        """Remove files no row points at (and stale temporary files) older than `older_than_s`.

        `referenced` holds (tenant, name) pairs of every file a row points at. Returns what
        was removed. Blocking: run it in a worker thread.
        """
        keep = {self.path(tenant, name) for tenant, name in referenced}
        cutoff = (time.time() if now is None else now) - older_than_s
        removed = []
        if not self.root.exists():
            return removed
        for file in self.root.glob("*/*/*"):
            if not file.is_file() or file in keep:
                continue
            try:
                if file.stat().st_mtime < cutoff:
                    file.unlink()
                    removed.append(file)
            except FileNotFoundError:
                continue
        if removed:
            log.info("media sweep removed %d orphan file(s)", len(removed))
        return removed


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
