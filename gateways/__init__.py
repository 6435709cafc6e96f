"""The gateways floor: one adapter per WhatsApp gateway, and the gateway simulator."""
