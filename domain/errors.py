"""Errors of the domain floor: the rules refuse input they cannot read.

DomainError (ValueError)
├── NotAnIdentity     the text is not a WhatsApp address or a phone number
├── Unreachable       the gateway cannot address this identity (a hidden id it cannot reach)
└── BadMediaAnswer    the gateway's answer to a media request holds no photo
"""


class DomainError(ValueError):
    """Base of the domain's errors: a value that does not follow the rules."""


class NotAnIdentity(DomainError):
    """The text is not a WhatsApp address or a phone number."""


class Unreachable(DomainError):
    """The gateway cannot address this identity (WhatsApp Web API and a hidden linked id)."""


class BadMediaAnswer(DomainError):
    """The gateway's answer to a media request holds no photo (the message says why)."""
