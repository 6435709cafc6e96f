"""A whole showroom running in the test's trio loop: real servers on loopback ports, a real
SQLite file, the simulator as the gateway."""

import dataclasses

import pytest
import trio

from showroom.app import serve
from showroom.config import GatewaySettings, OutboxSettings, ServerSettings, Settings

SECRET = "test-webhook-secret-0123456789"


def make_settings(tmp_path, **gateway):
    settings = Settings()
    demo = settings.tenants["demo"]
    gateway_settings = GatewaySettings(
        base_url="http://127.0.0.1:0", webhook_secret=SECRET, **gateway
    )
    return dataclasses.replace(
        settings,
        server=ServerSettings(host="127.0.0.1", port=0),
        outbox=OutboxSettings(per_chat_gap_s=0, per_minute=6000, typing=False),
        tenants={
            # anyone may sell, as most tests need; the buyers' tests say who sells
            "demo": dataclasses.replace(
                demo,
                gateway=gateway_settings,
                whatsapp_number="081233334444",
                open_to_all=True,
                sellers=(),
                admins=(),
            )
        },
        base_dir=tmp_path,
    )


@pytest.fixture
async def showroom(tmp_path):
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, make_settings(tmp_path))
        yield running
        nursery.cancel_scope.cancel()
