"""Errors of the domain floor: the rules refuse input they cannot read.

DomainError (ValueError)
└── NotAnIdentity     the text is not a WhatsApp address or a phone number
"""


class DomainError(ValueError):
    """Base of the domain's errors: a value that does not follow the rules."""


class NotAnIdentity(DomainError):
    """The text is not a WhatsApp address or a phone number."""
