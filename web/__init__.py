"""The web floor: the ASGI app (webhook intake, catalog, /health) and the HTTP server."""
