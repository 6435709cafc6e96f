"""No secret in a log line: webhook tokens and configured secrets are redacted everywhere."""

import json
import logging

import httpx

from showroom.logs import JsonFormatter, TextFormatter, redactor
from showroom.testing import config_text, showroom_server

SECRET = "Tq9-path-token-of-the-gateway-5521"
API_KEY = "waha-api-key-7781-abcdef"


def formatted(formatter: logging.Formatter, message: str, *args, error: Exception | None = None):
    record = logging.LogRecord("showroom.test", logging.ERROR, __file__, 1, message, args, None)
    if error is not None:
        try:
            raise error
        except Exception:
            import sys

            record.exc_info = sys.exc_info()
    return formatter.format(record)


def test_webhook_tokens_and_known_secrets_are_redacted_in_text_and_json():
    redactor.add(API_KEY)
    for formatter in (TextFormatter("%(message)s"), JsonFormatter()):
        line = formatted(
            formatter,
            "refused %s with key %s",
            f"http://127.0.0.1:8000/webhook/demo/{SECRET}?x=1",
            API_KEY,
            error=RuntimeError(f"request to /webhook/demo/{SECRET} with {API_KEY} failed"),
        )
        assert SECRET not in line and API_KEY not in line
        assert "/webhook/demo/[redacted]" in line
    entry = json.loads(formatted(JsonFormatter(), "key=%s", API_KEY))
    assert entry["message"] == "key=[redacted]"


def test_a_running_server_never_logs_the_secret_in_the_path(tmp_path):
    config = config_text(
        secret=SECRET, gateway="whatsapp-web-api", gateway_url="http://127.0.0.1:9"
    )
    config = config.replace("[tenants.demo]", "[log]\naccess = true\n[tenants.demo]")
    with showroom_server(tmp_path, config) as (_, url), httpx.Client(base_url=url) as client:
        assert client.post(f"/webhook/demo/{SECRET}", content=b"{not json").status_code == 400
        guess = "Tq9-path-token-of-the-gateway-5522"  # one typo away
        assert client.post(f"/webhook/demo/{guess}", content=b"{}").status_code == 401
        assert client.get(f"/webhook/demo/{SECRET}").status_code == 405
    log = (tmp_path / "server-1.log").read_text()
    assert "refused with 400" in log and "refused with 401" in log
    assert "showroom.web.access" in log  # the access log is on, and redacted too
    assert SECRET not in log and guess not in log
    assert log.count("/webhook/demo/[redacted]") >= 3
