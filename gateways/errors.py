"""Errors of the gateways floor.

GatewayError
├── BadPayload          a webhook body is not JSON, or not the shape this gateway sends (400)
└── GatewayConfigError  a gateway's settings cannot work or are unsafe (refused at start)
"""


class GatewayError(Exception):
    """Base of the gateway floor's errors."""


class BadPayload(GatewayError):
    """The webhook body is not JSON, or not the shape this gateway sends. Answer 400."""


class GatewayConfigError(GatewayError):
    """The gateway's settings cannot work (a missing or weak secret, a bad URL)."""
