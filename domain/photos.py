"""A photo once it is stored: what the downloader reports, the session keeps and the catalog's
`Photo` row is made of. Its JSON form is the one stored in a session's data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIZES = ("large", "medium", "thumb")  # 1600, 800 and 400 px on the longest side


@dataclass(frozen=True, slots=True)
class PhotoFiles:
    """The file names of the three sizes, under the tenant's media folder."""

    large: str
    medium: str
    thumb: str

    def names(self) -> tuple[str, ...]:
        return (self.large, self.medium, self.thumb)


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    content_hash: str  # of the bytes as they came: the same picture twice has the same hash
    files: PhotoFiles
    width: int
    height: int
    bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "files": {size: getattr(self.files, size) for size in SIZES},
            "width": self.width,
            "height": self.height,
            "bytes": self.bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredPhoto:
        return cls(
            content_hash=data["content_hash"],
            files=PhotoFiles(**{size: data["files"][size] for size in SIZES}),
            width=data["width"],
            height=data["height"],
            bytes=data["bytes"],
        )
