"""Errors of the web floor, raised and answered inside it.

WebError
└── BodyTooLarge      a request body is over its cap: answered 413, not read further
"""


class WebError(Exception):
    """Base of the web floor's errors."""


class BodyTooLarge(WebError):
    """A request body is larger than its cap."""
