"""The adapters by the `kind` a tenant's gateway section names."""

from __future__ import annotations

from gateways.base import Adapter, GatewayConfig
from gateways.cloudapi import CloudApi
from gateways.errors import GatewayConfigError
from gateways.evolution import Evolution
from gateways.gowa import GoWA
from gateways.waha import Waha
from gateways.whatsapp_web_api import WhatsAppWebApi

ADAPTERS: dict[str, type[Adapter]] = {
    adapter.kind: adapter for adapter in (WhatsAppWebApi, GoWA, Waha, Evolution, CloudApi)
}
SIMULATOR = "simulator"  # the built-in stand-in for WhatsApp Web API
KINDS = (SIMULATOR, *ADAPTERS)


def make_adapter(config: GatewayConfig) -> Adapter:
    kind = WhatsAppWebApi.kind if config.kind == SIMULATOR else config.kind
    if kind not in ADAPTERS:
        raise GatewayConfigError(f"unknown gateway kind {config.kind!r}; known: {', '.join(KINDS)}")
    adapter = ADAPTERS[kind](config)
    adapter.check_config()
    return adapter
