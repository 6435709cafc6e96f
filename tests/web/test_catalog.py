"""The public catalog, rendered by the running app over real HTTP, on a real database."""

import dataclasses
import re
import sqlite3

import httpx
import pytest
import trio

import web.catalog
from showroom.app import serve
from storage.media import MediaStore
from tests.system.conftest import make_settings

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def add_listing(
    db_path,
    code,
    make,
    model,
    price,
    *,
    year=2018,
    status="available",
    transmission="Matic",
    variant="",
    description="Mulus.",
    photos=(),
    slug=None,
):
    with sqlite3.connect(db_path) as db:
        slug = slug or f"{make}-{model}-{year}-{code}".lower().replace(" ", "-")
        cursor = db.execute(
            "INSERT INTO listing (tenant_id, code, slug, seller, make, model, variant, year, "
            "transmission, fuel, color, mileage_km, price_idr, original_text, description, "
            "status, created_at, updated_at) VALUES (1, ?, ?, '62812', ?, ?, ?, ?, ?, '', '', "
            "50000, ?, '', ?, ?, datetime('now'), datetime('now'))",
            (code, slug, make, model, variant, year, transmission, price, description, status),
        )
        listing_id = cursor.lastrowid
        for position, (large, medium, thumb) in enumerate(photos):
            photo = db.execute(
                "INSERT INTO photo (tenant_id, listing_id, position, content_hash, file_large, "
                "file_medium, file_thumb, width, height, bytes, created_at) VALUES (1, ?, ?, "
                "'h', ?, ?, ?, 1600, 1200, 1000, datetime('now'))",
                (listing_id, position, large, medium, thumb),
            ).lastrowid
            if position == 0:
                db.execute(
                    "UPDATE listing SET cover_photo_id = ? WHERE id = ?", (photo, listing_id)
                )
    return slug


@pytest.fixture
async def site(tmp_path):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"],
        name="Surabaya Motor",
        whatsapp_number="0812-3333-4444",
        public_url="https://mobil.example.id",
    )
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        async with httpx.AsyncClient(base_url=running.web.url) as client:
            yield client, tmp_path / "data" / "showroom.db", tmp_path
        nursery.cancel_scope.cancel()


async def test_the_list_shows_cars_for_sale_newest_first_with_prices(site):
    client, db_path, _ = site
    add_listing(db_path, "H01", "Honda", "Jazz", 179_000_000, variant="RS")
    add_listing(db_path, "T01", "Toyota", "Avanza", 175_000_000, transmission="Manual")
    add_listing(db_path, "T02", "Toyota", "Rush", 200_000_000, status="hidden")
    add_listing(db_path, "T03", "Toyota", "Yaris", 140_000_000, status="deleted")
    add_listing(db_path, "D01", "Daihatsu", "Xenia", 118_000_000, status="sold")
    page = await client.get("/")
    assert page.status_code == 200
    text = page.text
    assert "Honda Jazz RS" in text and "Rp 179.000.000" in text and "Toyota Avanza" in text
    assert "Rush" not in text and "Yaris" not in text  # hidden and deleted
    assert "TERJUAL" in text  # a sold car stays, marked
    assert text.index("Daihatsu Xenia") < text.index("Toyota Avanza") < text.index("Honda Jazz")
    assert "3 mobil" in text
    one = (await client.get("/?q=jazz")).text
    assert "1 mobil" in one


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=jazz", ["Jazz"], ["Avanza"]),
        ("make=Toyota", ["Avanza"], ["Jazz"]),
        ("transmission=Manual", ["Avanza"], ["Jazz"]),
        ("harga_min=176", ["Jazz"], ["Avanza"]),
        ("harga_max=176", ["Avanza"], ["Jazz"]),
        ("tahun_min=2019", ["Jazz"], ["Avanza"]),
    ],
)
async def test_filters_work_without_javascript(site, query, shown, hidden):
    client, db_path, _ = site
    add_listing(db_path, "H01", "Honda", "Jazz", 179_000_000, year=2020)
    add_listing(db_path, "T01", "Toyota", "Avanza", 175_000_000, year=2016, transmission="Manual")
    text = (await client.get(f"/?{query}")).text
    assert all(name in text for name in shown)
    assert not any(f"Toyota {name}" in text or f"Honda {name}" in text for name in hidden)


async def test_pagination(site):
    client, db_path, _ = site
    for n in range(30):
        add_listing(db_path, f"A{n:02d}", "Honda", f"Brio{n}", 100_000_000 + n)
    first = (await client.get("/")).text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = (await client.get("/?page=2")).text
    assert 'rel="prev"' in second and "Brio0<" in second.replace("</h2>", "<")


async def test_a_car_page_has_everything_a_buyer_and_whatsapp_need(site):
    client, db_path, tmp_path = site
    store = MediaStore(tmp_path / "data" / "media")
    files = [
        tuple(
            store.put("demo", f"{n}{size}".encode() * 50, "jpg", size)
            for size in ("large", "medium", "thumb")
        )
        for n in range(3)
    ]
    slug = add_listing(
        db_path,
        "H07",
        "Honda",
        "Freed",
        145_000_000,
        year=2012,
        variant="PSD",
        description="Dijual Honda Freed.",
        photos=files,
    )
    page = await client.get(f"/cars/{slug}")
    assert page.status_code == 200
    html = page.text
    assert html.count('<img src="/media/demo/') == 3 and "#H07" in html
    assert f'<link rel="canonical" href="https://mobil.example.id/cars/{slug}">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image == f"https://mobil.example.id/media/demo/{files[0][1]}"
    assert 'property="og:title" content="Honda Freed PSD 2012 - Rp 145.000.000"' in html
    # the site runs on the simulator: the button opens its chat page as a new buyer
    wa = re.search(r'class="whatsapp" href="([^"]+)"', html).group(1)
    assert re.match(r"http://127\.0\.0\.1:\d+/\?as=new-buyer&amp;text=Halo%2C%20saya", wa), wa
    assert "H07" in wa and str(client.base_url.port) not in wa.split("?")[0]
    assert "Dijual Honda Freed." in html
    assert "<script" not in html
    photo = await client.get(f"/media/demo/{files[0][0]}")
    assert photo.status_code == 200 and "immutable" in photo.headers["cache-control"]
    assert photo.headers.get("etag")


async def test_hidden_deleted_and_unknown_cars_answer_404(site):
    client, db_path, _ = site
    hidden = add_listing(db_path, "H01", "Honda", "Jazz", 1, status="hidden")
    deleted = add_listing(db_path, "H02", "Honda", "City", 1, status="deleted")
    for slug in (hidden, deleted, "no-such-car"):
        assert (await client.get(f"/cars/{slug}")).status_code == 404


async def test_whatever_a_seller_typed_is_escaped(site):
    client, db_path, _ = site
    slug = add_listing(
        db_path,
        "H01",
        "Honda",
        HOSTILE,
        150_000_000,
        variant=HOSTILE,
        description=HOSTILE,
        slug="honda-hostile-h01",
    )
    for path in ("/", f"/cars/{slug}"):
        html = (await client.get(path)).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


async def test_security_headers_sitemap_and_robots(site):
    client, db_path, _ = site
    slug = add_listing(db_path, "H01", "Honda", "Jazz", 150_000_000)
    page = await client.get("/")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    sitemap = (await client.get("/sitemap.xml")).text
    assert f"<loc>https://mobil.example.id/cars/{slug}</loc>" in sitemap
    robots = (await client.get("/robots.txt")).text
    assert "Sitemap: https://mobil.example.id/sitemap.xml" in robots


@pytest.mark.parametrize(
    "path",
    [
        "/media/demo/../../showroom.db",
        "/media/demo/ab/..%2F..%2Fx",
        "/media/..%2F..%2Fetc/ab/passwd",
        "/media/demo/ab/x.jpg",
        "/media/demo/ab/" + "ab" * 32 + "-inbound.bin",  # a photo as it came: never served
    ],
)
async def test_photo_paths_cannot_escape_the_media_folder(site, path):
    client, _, _ = site
    assert (await client.get(path)).status_code == 404


async def test_a_car_page_is_small(site):
    client, db_path, _ = site
    slug = add_listing(db_path, "H01", "Honda", "Jazz", 150_000_000, description="x" * 2000)
    page = await client.get(f"/cars/{slug}")
    css = await client.get("/static/catalog.css")
    assert len(page.content) + len(css.content) < 60_000


async def test_the_tenants_look_comes_from_the_configuration(tmp_path):
    logo = tmp_path / "logo.png"
    from PIL import Image

    Image.new("RGB", (120, 40), "navy").save(logo)
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"],
        name="Surabaya Motor",
        address="Jl. Raya Darmo 1, Surabaya",
        logo=str(logo),
        primary_color="#123456",
        accent_color="not a colour",
    )
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        async with httpx.AsyncClient(base_url=running.web.url) as client:
            page = (await client.get("/")).text
            theme = (await client.get("/theme.css")).text
            served_logo = await client.get("/logo")
        nursery.cancel_scope.cancel()
    assert 'src="/logo"' in page and "Jl. Raya Darmo 1, Surabaya" in page
    assert "--primary:#123456" in theme and "--accent-text:#b35c00" in theme  # bad one ignored
    assert served_logo.status_code == 200 and served_logo.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    "query",
    ["page=²", "tahun_min=³", "harga_max=①", "harga_min=٣٠٠", "tahun_max=\uff12\uff10\uff12\uff10"],
)
async def test_unicode_digits_in_filters_are_ignored_not_a_500(site, query):
    client, db_path, _ = site
    add_listing(db_path, "H01", "Honda", "Jazz", 179_000_000, year=2020)
    page = await client.get(f"/?{query}")
    assert page.status_code == 200 and "Honda Jazz" in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("DELETE", "/", 405), ("GET", "/cars/nothing", 404)],
)
async def test_every_error_page_carries_the_security_headers(site, method, path, status):
    client, _, _ = site
    answer = await client.request(method, path)
    assert answer.status_code == status
    assert "script-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_a_handler_that_raises_answers_500_with_the_security_headers():
    from starlette.routing import Route

    from web.app import create_app

    async def broken(_):
        raise RuntimeError("a bug")

    app = create_app(version="t")
    app.router.routes.append(Route("/broken", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/broken")
    assert answer.status_code == 500 and answer.text == "internal error"
    assert "script-src 'none'" in answer.headers["content-security-policy"]


async def pages_of_one_car(tmp_path, *paths: str, kind: str = "simulator", **tenant) -> list[str]:
    """A showroom whose demo tenant has `tenant`'s settings and one car, the Honda Freed
    `H07`: the pages at `paths` (`{car}` stands for the car's page)."""
    settings = make_settings(tmp_path, kind=kind)
    demo = dataclasses.replace(settings.tenants["demo"], **tenant)
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        slug = add_listing(tmp_path / "data" / "showroom.db", "H07", "Honda", "Freed", 145_000_000)
        async with httpx.AsyncClient(base_url=running.web.url) as client:
            pages = [(await client.get(p.format(car=f"/cars/{slug}"))).text for p in paths]
        nursery.cancel_scope.cancel()
    return pages


async def test_with_a_real_gateway_the_chat_buttons_go_to_wa_me(tmp_path):
    [html] = await pages_of_one_car(
        tmp_path, "{car}", kind="whatsapp-web-api", whatsapp_number="0812-3333-4444"
    )
    wa = re.search(r'class="whatsapp" href="([^"]+)"', html).group(1)
    assert wa.startswith("https://wa.me/6281233334444?text=Halo%2C%20saya"), wa
    assert "H07" in wa
    assert '<a class="chat" href="https://wa.me/6281233334444">' in html


async def test_without_a_number_or_simulator_there_is_no_chat_button(tmp_path):
    [html] = await pages_of_one_car(tmp_path, "{car}", kind="whatsapp-web-api", whatsapp_number="")
    assert 'class="whatsapp"' not in html and 'class="chat"' not in html


async def test_a_large_catalog_gets_an_index_of_sitemaps_each_within_the_limit(site, monkeypatch):
    import web.catalog

    monkeypatch.setattr(web.catalog, "SITEMAP_URLS", 3)  # 50,000 in real life
    client, db_path, _ = site
    slugs = [add_listing(db_path, f"H{n:02d}", "Honda", f"Jazz{n}", 150_000_000) for n in range(7)]
    index = (await client.get("/sitemap.xml")).text
    assert "<sitemapindex" in index
    parts = re.findall(r"<loc>https://mobil.example.id/(sitemap-\d+\.xml)</loc>", index)
    assert parts == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    listed = []
    for part in parts:
        urlset = (await client.get(f"/{part}")).text
        found = re.findall(r"/cars/([^<]+)</loc>", urlset)
        assert 1 <= len(found) <= 3
        listed += found
    assert sorted(listed) == sorted(slugs)
    assert (await client.get("/sitemap-4.xml")).status_code == 404
    assert (await client.get("/sitemap-x.xml")).status_code == 404


async def test_the_makes_to_filter_by_are_read_once_a_minute_per_dealer(site, monkeypatch):
    # Reading them goes through every car of the dealer: 22 ms a page with 50,000 cars.
    client, db_path, _ = site
    add_listing(db_path, "H01", "Honda", "Jazz", 179_000_000)
    reads = []
    read = web.catalog.makes_for_sale
    monkeypatch.setattr(
        web.catalog, "makes_for_sale", lambda tenant: reads.append(1) or read(tenant)
    )
    for _ in range(3):
        assert "Honda</option>" in (await client.get("/?make=Honda")).text
    assert len(reads) == 1
    add_listing(db_path, "T01", "Toyota", "Avanza", 175_000_000)
    monkeypatch.setattr(web.catalog, "MAKES_FRESH_S", 0.0)
    assert "Toyota</option>" in (await client.get("/")).text
    assert len(reads) == 2


async def test_an_english_catalog_speaks_english_of_one_car_and_its_gearbox(tmp_path):
    page, car = await pages_of_one_car(tmp_path, "/", "{car}", language="en")
    assert ">1 car<" in page and "1 cars" not in page
    assert "· Automatic" in page and '<option value="Matic">Automatic</option>' in page
    assert "Automatic" in car and "Matic" not in car.replace('"Matic"', "")


async def test_a_dealers_photos_are_not_served_on_another_dealers_host(tmp_path):
    from PIL import Image

    from storage.media import MediaStore

    settings = make_settings(tmp_path)
    jaya = dataclasses.replace(settings.tenants["demo"], public_url="https://jaya.test")
    sentosa = dataclasses.replace(jaya, public_url="https://sentosa.test")
    settings = dataclasses.replace(settings, tenants={"jaya": jaya, "sentosa": sentosa})
    out = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), "navy").save(out, "JPEG")
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        name = MediaStore(tmp_path / "data" / "media").put("jaya", out.read_bytes(), "jpg")
        async with httpx.AsyncClient(base_url=running.web.url) as client:

            async def status(host: str | None) -> int:
                headers = {"Host": host} if host else {}
                return (await client.get(f"/media/jaya/{name}", headers=headers)).status_code

            assert await status("jaya.test") == 200
            assert await status("sentosa.test") == 404
            assert await status(None) == 200  # this server's own address: the gateways'
        nursery.cancel_scope.cancel()
