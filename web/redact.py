"""Secrets never reach a log line. The webhook address of the gateways that cannot sign
(`/webhook/<tenant>/<secret>`) carries the secret itself, so every path written to a log has
its last segment replaced: a refused guess may be the real secret with one typo."""

from __future__ import annotations

import re

REDACTED = "[redacted]"
# `/webhook/<tenant>/<token>` anywhere in a text (a path, a URL, a request line)
_WEBHOOK_TOKEN = re.compile(r"(/webhook/[^/\s?#\"'<>]+/)[^/\s?#\"'<>]+")


def redact_paths(text: str) -> str:
    """`text` with the token of every webhook address in it replaced."""
    return _WEBHOOK_TOKEN.sub(lambda found: found.group(1) + REDACTED, text)
