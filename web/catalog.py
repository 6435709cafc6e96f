"""The public catalog: the pages buyers open from a WhatsApp link, usually on a phone.

Server-rendered (Jinja2, autoescaped: whatever a seller typed is shown as text), no external
fonts or scripts, small pages, filters that work without JavaScript. The tenant is found by the
host name of its `public_url`; an installation with one tenant serves it for any host name.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
import trio
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from domain.formatting import car_name, kilometres, rupiah
from domain.texts import WEB_TEXTS, value_name
from storage.catalog import (
    PAGE_SIZE,
    SITEMAP_URLS,
    Filters,
    listing_by_slug,
    listings_page,
    makes_for_sale,
    public_count,
    sitemap_entries,
)
from storage.errors import UnsafePath
from storage.media import MediaStore
from storage.reader import Reader
from web.security import SECURITY_HEADERS

PHOTO_CACHE = "public, max-age=31536000, immutable"  # file names are content hashes
PAGE_CACHE = "public, max-age=60"
# The makes in the list page's filter are read at most this often per dealer (pages may be
# this old in any cache anyway): reading them means going through every car of the dealer,
# 0.3 ms a page with 500 cars, 22 ms with 50,000.
MAKES_FRESH_S = 60.0


@dataclass(frozen=True, slots=True)
class CatalogTenant:
    slug: str
    id: int
    name: str
    language: str
    public_url: str  # without a trailing slash
    whatsapp_number: str
    primary_color: str = "#0b5ed7"
    accent_color: str = "#b35c00"
    address: str = ""
    logo: Path | None = None
    # With the gateway simulator, its chat page stands in for WhatsApp: the chat buttons open
    # it as a new buyer instead of wa.me (which would lead to a number nobody answers).
    simulator_url: str = ""

    def chat_link(self, message: str = "") -> str:
        """Where "Chat via WhatsApp" leads, with `message` typed in; "" when nowhere."""
        if self.simulator_url:
            query = {"as": "new-buyer", **({"text": message} if message else {})}
            return f"{self.simulator_url}/?{urlencode(query, quote_via=quote)}"
        if not self.whatsapp_number:
            return ""
        text = f"?text={quote(message)}" if message else ""
        return f"https://wa.me/{self.whatsapp_number}{text}"


class Catalog:
    def __init__(self, tenants: list[CatalogTenant], reader: Reader, media: MediaStore) -> None:
        self.tenants = tenants
        self.reader = reader
        self.media = media
        # one lookup per request, whatever the number of dealers
        self._by_host = {urlsplit(t.public_url).hostname: t for t in tenants}
        # read once: no file I/O on the trio thread per request
        self._stylesheet = resources.files("web").joinpath("static/catalog.css").read_bytes()
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("web", "templates"),
            autoescape=jinja2.select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # the templates are part of the program: looking at their files' times on every
            # page (to reload a changed one) was 5 % of a list page
            auto_reload=False,
        )
        self._makes: dict[int, tuple[float, list[str]]] = {}  # tenant id: (read at, makes)

    def routes(self) -> list[Route]:
        return [
            Route("/", self.list_page, methods=["GET"]),
            Route("/cars/{slug}", self.car_page, methods=["GET"]),
            Route("/media/{tenant}/{folder}/{name}", self.photo, methods=["GET"]),
            Route("/theme.css", self.theme, methods=["GET"]),
            Route("/logo", self.logo, methods=["GET"]),
            Route("/static/catalog.css", self.stylesheet, methods=["GET"]),
            Route("/sitemap.xml", self.sitemap, methods=["GET"]),
            Route("/sitemap-{part}.xml", self.sitemap_part, methods=["GET"]),
            Route("/robots.txt", self.robots, methods=["GET"]),
        ]

    # -- which tenant ----------------------------------------------------------------------

    def tenant_for(self, request: Request) -> CatalogTenant | None:
        tenant = self._host_tenant(request)
        if tenant is not None:
            return tenant
        return self.tenants[0] if len(self.tenants) == 1 else None

    def _host_tenant(self, request: Request) -> CatalogTenant | None:
        """The dealer whose public_url names the request's host, if one does."""
        return self._by_host.get((request.headers.get("host") or "").split(":")[0].lower())

    # -- pages -----------------------------------------------------------------------------

    async def list_page(self, request: Request) -> Response:
        tenant = self.tenant_for(request)
        if tenant is None:
            return _not_found("unknown catalog")
        raw = {
            key: request.query_params.get(key, "").strip()[:60]
            for key in (
                "q",
                "make",
                "transmission",
                "harga_min",
                "harga_max",
                "tahun_min",
                "tahun_max",
                "page",
            )
        }
        filters = Filters(
            query=raw["q"],
            make=raw["make"],
            transmission=raw["transmission"],
            price_min=_millions(raw["harga_min"]),
            price_max=_millions(raw["harga_max"]),
            year_min=_number(raw["tahun_min"]),
            year_max=_number(raw["tahun_max"]),
            page=max(_number(raw["page"]) or 1, 1),
        )
        known = self._makes.get(tenant.id)
        if known is not None and trio.current_time() - known[0] < MAKES_FRESH_S:
            (rows, total), makes = (
                await self.reader.run(listings_page, tenant.id, filters),
                known[1],
            )
        else:
            (rows, total), makes = await self.reader.run(_list_and_makes, tenant.id, filters)
            self._makes[tenant.id] = (trio.current_time(), makes)
        cars = [
            {
                **row,
                "name": car_name(row),
                "price": rupiah(row["price_idr"]),
                "mileage": kilometres(row["mileage_km"]) if row["mileage_km"] else "",
                "transmission": value_name(tenant.language, row["transmission"] or ""),
            }
            for row in rows
        ]
        page = filters.page
        return self._render(
            "list.html",
            tenant,
            {
                "cars": cars,
                "total": total,
                "filters": filters,
                "raw": raw,
                "makes": makes,
                "canonical": f"{tenant.public_url}/",
                "previous_page": _page_link(request, page - 1) if page > 1 else None,
                "next_page": _page_link(request, page + 1) if page * PAGE_SIZE < total else None,
            },
        )

    async def car_page(self, request: Request) -> Response:
        tenant = self.tenant_for(request)
        if tenant is None:
            return _not_found("unknown catalog")
        listing = await self.reader.run(listing_by_slug, tenant.id, request.path_params["slug"])
        t = WEB_TEXTS.get(tenant.language, WEB_TEXTS["id"])
        if listing is None:
            return _not_found(t["not_found"])
        canonical = f"{tenant.public_url}/cars/{listing['slug']}"
        name = car_name(listing)
        message = t["wa_message"].format(
            name=name, year=listing["year"] or "", code=listing["code"], link=canonical
        )
        cover = listing["photos"][0] if listing["photos"] else None
        specs = [
            (label, value)
            for label, value in (
                (t["year"], listing["year"]),
                (t["variant"], listing["variant"]),
                (t["mileage"], kilometres(listing["mileage_km"]) if listing["mileage_km"] else ""),
                (t["transmission"], value_name(tenant.language, listing["transmission"] or "")),
                (t["fuel"], value_name(tenant.language, listing["fuel"] or "")),
                (t["color"], value_name(tenant.language, listing["color"] or "")),
            )
            if value
        ]
        car = {
            **listing,
            "name": name,
            "price": rupiah(listing["price_idr"]),
            "specs": specs,
            "summary": _summary(listing, name, tenant.language),
            "whatsapp_link": tenant.chat_link(message),
            "og_image": f"{tenant.public_url}/media/{tenant.slug}/{cover['file_medium']}"
            if cover
            else None,
            "og_width": 800,
            "og_height": round(800 * cover["height"] / cover["width"]) if cover else None,
        }
        return self._render("car.html", tenant, {"car": car, "canonical": canonical})

    def _render(self, template: str, tenant: CatalogTenant, context: dict[str, Any]) -> Response:
        t = dict(WEB_TEXTS.get(tenant.language, WEB_TEXTS["id"]))
        t["list_description"] = t["list_description"].format(showroom=tenant.name)
        body = self.templates.get_template(template).render(tenant=tenant, t=t, **context)
        return HTMLResponse(body, headers={**SECURITY_HEADERS, "Cache-Control": PAGE_CACHE})

    # -- files -----------------------------------------------------------------------------

    async def photo(self, request: Request) -> Response:
        tenant, folder, name = (request.path_params[k] for k in ("tenant", "folder", "name"))
        on_host = self._host_tenant(request)
        if on_host is not None and on_host.slug != tenant:
            return _not_found("no such photo")  # one dealer's host shows its photos only
        try:
            path = self.media.path(tenant, f"{folder}/{name}")
        except UnsafePath:
            return _not_found("no such photo")
        if not name.endswith(".jpg"):  # only the pipeline's output: never a photo as it came
            return _not_found("no such photo")
        if not await trio.Path(path).is_file():
            return _not_found("no such photo")
        return await _file(request, path, "image/jpeg", PHOTO_CACHE)

    async def logo(self, request: Request) -> Response:
        tenant = self.tenant_for(request)
        if tenant is None or tenant.logo is None or not await trio.Path(tenant.logo).is_file():
            return _not_found("no logo")
        kind = {".png": "image/png", ".webp": "image/webp"}.get(
            tenant.logo.suffix.lower(), "image/jpeg"
        )
        return await _file(request, tenant.logo, kind, "public, max-age=3600")

    async def theme(self, request: Request) -> Response:
        tenant = self.tenant_for(request) or (self.tenants[0] if self.tenants else None)
        primary = _color(tenant.primary_color if tenant else "", "#0b5ed7")
        accent = _color(tenant.accent_color if tenant else "", "#b35c00")
        css = f":root{{--primary:{primary};--accent-text:{accent}}}\n"
        return Response(
            css, media_type="text/css", headers={**SECURITY_HEADERS, "Cache-Control": PAGE_CACHE}
        )

    async def stylesheet(self, _: Request) -> Response:
        return Response(
            self._stylesheet,
            media_type="text/css",
            headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"},
        )

    async def sitemap(self, request: Request) -> Response:
        """The catalog's cars for search engines: one sitemap while they fit in one (the
        home page and up to 49,999 cars), else an index of sitemaps of 50,000 cars each."""
        tenant = self.tenant_for(request)
        if tenant is None:
            return _not_found("unknown catalog")
        base = html.escape(tenant.public_url)
        count = await self.reader.run(public_count, tenant.id)
        if count < SITEMAP_URLS:
            entries = await self.reader.run(sitemap_entries, tenant.id, 1, SITEMAP_URLS)
            return _urlset([f"<url><loc>{base}/</loc></url>", *_car_urls(base, entries)])
        parts = -(-count // SITEMAP_URLS)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<sitemap><loc>{base}/sitemap-{part}.xml</loc></sitemap>"
                for part in range(1, parts + 1)
            )
            + "</sitemapindex>\n"
        )
        return Response(body, media_type="application/xml", headers={"Cache-Control": PAGE_CACHE})

    async def sitemap_part(self, request: Request) -> Response:
        tenant = self.tenant_for(request)
        part = request.path_params["part"]
        if tenant is None or not part.isascii() or not part.isdigit() or int(part) < 1:
            return _not_found("no such sitemap")
        entries = await self.reader.run(sitemap_entries, tenant.id, int(part), SITEMAP_URLS)
        if not entries:
            return _not_found("no such sitemap")
        return _urlset(list(_car_urls(html.escape(tenant.public_url), entries)))

    async def robots(self, request: Request) -> Response:
        tenant = self.tenant_for(request)
        sitemap = f"Sitemap: {tenant.public_url}/sitemap.xml\n" if tenant else ""
        return PlainTextResponse(f"User-agent: *\nDisallow: /webhook/\n{sitemap}")


def _car_urls(base: str, entries: list[tuple]) -> list[str]:
    return [
        f"<url><loc>{base}/cars/{html.escape(slug)}</loc>"
        f"<lastmod>{updated.date().isoformat()}</lastmod></url>"
        for slug, updated in entries
    ]


def _urlset(urls: list[str]) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(urls)
        + "</urlset>\n"
    )
    return Response(body, media_type="application/xml", headers={"Cache-Control": PAGE_CACHE})


def _list_and_makes(tenant_id: int, filters: Filters) -> tuple[tuple[list, int], list[str]]:
    return listings_page(tenant_id, filters), makes_for_sale(tenant_id)


def _summary(listing: dict[str, Any], name: str, language: str) -> str:
    parts = [f"{name} {listing['year'] or ''}".strip(), rupiah(listing["price_idr"])]
    if listing["mileage_km"]:
        parts.append(kilometres(listing["mileage_km"]))
    if listing["transmission"]:
        parts.append(value_name(language, listing["transmission"]))
    return " · ".join(parts)


def _number(text: str) -> int | None:
    """A whole number typed in a filter, else None. ASCII digits only: `²`, `①` or `٣` pass
    str.isdigit() but int() refuses some of them and reads others as other numbers."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _millions(text: str) -> int | None:
    """Prices in the filter are typed in millions of rupiah (`150` = Rp 150.000.000)."""
    number = _number(text)
    if number is None:
        return None
    return number * 1_000_000 if number < 100_000 else number


def _page_link(request: Request, page: int) -> str:
    params = dict(request.query_params)
    params["page"] = str(page)
    return "/?" + urlencode(params)


def _color(value: str, fallback: str) -> str:
    text = value.strip()
    if (
        len(text) in (4, 7)
        and text.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    ):
        return text
    return fallback


async def _file(request: Request, path: Path, media_type: str, cache: str) -> Response:
    """A photo or the logo, read whole (a few hundred KB at most). Not Starlette's
    FileResponse: under hypercorn its connection never became idle again, so a browser or a
    gateway that kept it open held every stop for the whole grace period."""
    stat = await trio.Path(path).stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    headers = {**SECURITY_HEADERS, "Cache-Control": cache, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(await trio.Path(path).read_bytes(), media_type=media_type, headers=headers)


def _not_found(message: str) -> Response:
    return PlainTextResponse(message, status_code=404, headers=SECURITY_HEADERS)
