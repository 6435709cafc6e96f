"""Errors of the actors floor, raised and handled inside it.

ActorsError
└── DownloadError         a photo download did not give a photo (yet)
    ├── NotReady          the gateway has not written the file yet: ask again later
    ├── GatewayTrouble    a transport error or a 5xx: the gateway is unwell, back off
    └── FetchFailed       the photo cannot be had; the message is the reason
"""


class ActorsError(Exception):
    """Base of the actors floor's errors."""


class DownloadError(ActorsError):
    """A photo download did not give a photo (yet)."""


class NotReady(DownloadError):
    """The gateway has not written the file yet."""


class GatewayTrouble(DownloadError):
    """A transport error or a 5xx: the gateway is unwell."""


class FetchFailed(DownloadError):
    """The photo cannot be had; the message is the reason."""
