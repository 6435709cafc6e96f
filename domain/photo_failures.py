"""Why a photo could not be stored, and what the seller is told about it.

The downloader reports a failed photo as `PhotoFailed(upload, key, reason)`; the reason starts
with the kind of failure, `<kind>: <detail>`, so the conversation can tell the seller the
right thing without knowing how downloads work:

- `unusable`: not a picture, or the gateway could not give it: the seller sends it again
  (text `photo_failed`);
- `too_large`: a picture too large to process within the memory budget: the seller sends a
  smaller one, as a photo rather than a document (text `photo_too_large`);
- `server_fault`: our side failed (the disk is full, the media folder cannot be written, a
  photo worker died): not the seller's fault, they send it again later (text
  `photo_server_fault`, "sedang ada gangguan...").

`text_key(reason)` gives the catalog key to say; a reason without a known kind (written by an
older showroom, kept in a session) is `unusable`.
"""

from __future__ import annotations

import enum


class PhotoProblem(enum.Enum):
    UNUSABLE = "unusable"
    TOO_LARGE = "too_large"
    SERVER_FAULT = "server_fault"


TEXT_KEYS = {
    PhotoProblem.UNUSABLE: "photo_failed",
    PhotoProblem.TOO_LARGE: "photo_too_large",
    PhotoProblem.SERVER_FAULT: "photo_server_fault",
}


def failure_reason(problem: PhotoProblem, detail: str) -> str:
    """The reason to put in PhotoFailed: `too_large: 16383x2400 pixels ...`."""
    return f"{problem.value}: {detail}"


def problem_of(reason: str) -> PhotoProblem:
    kind, separator, _ = reason.partition(":")
    if separator:
        for problem in PhotoProblem:
            if problem.value == kind:
                return problem
    return PhotoProblem.UNUSABLE


def text_key(reason: str) -> str:
    """The message catalog key that tells the seller about this failure."""
    return TEXT_KEYS[problem_of(reason)]
