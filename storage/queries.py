"""Read queries (run them through storage.reader.Reader, off the trio thread)."""

from __future__ import annotations

from storage.models import Photo, Tenant


def referenced_media_files() -> set[tuple[str, str]]:
    """(tenant slug, file name) of every photo file a row points at, for the orphan sweep."""
    files: set[tuple[str, str]] = set()
    query = Photo.select(Tenant.slug, Photo.file_large, Photo.file_medium, Photo.file_thumb).join(
        Tenant
    )
    for slug, *names in query.tuples():
        files.update((slug, name) for name in names)
    return files
