"""Logging: one line per event with time, level, area (logger name) and message; or JSON.

Every line is redacted before it is written, whoever logged it (showroom, hypercorn's access
and error logs, httpx): the token of every webhook address, and every secret the program
knows (webhook secrets, API keys, verify tokens, the simulator's made-up secret) are replaced
by `[redacted]`, in the message and in a traceback alike.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable
from urllib.parse import quote

from web.redact import REDACTED, redact_paths

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
# Shorter values are not secrets worth hunting for (and would redact ordinary words).
MIN_REDACTED_LENGTH = 6


class Redactor:
    """The secrets to remove from log lines; the program adds each one it knows."""

    def __init__(self) -> None:
        self._secrets: list[str] = []

    def add(self, *secrets: str) -> None:
        for secret in secrets:
            for form in {secret, quote(secret, safe="")}:  # as written and as in a URL
                if len(form) >= MIN_REDACTED_LENGTH and form not in self._secrets:
                    self._secrets.append(form)
        self._secrets.sort(key=len, reverse=True)  # a longer secret before one inside it

    def __call__(self, text: str) -> str:
        text = redact_paths(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


redactor = Redactor()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redactor(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "area": record.name,
            "message": redactor(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = redactor(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, fmt: str, secrets: Iterable[str] = ()) -> None:
    redactor.add(*secrets)
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # httpx logs every request at INFO: one line per outbox send or photo poll is noise.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, _LEVELS[level]))
