"""A real browser (headless Chromium) on the catalog, after a real upload through the simulator."""

import base64
import io
import re
import shutil
import subprocess

import httpx
import pytest
import trio
from PIL import Image

from tests.system.test_upload_flow import UPLOAD, Seller

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What headless Chromium needs on these machines: no sandbox as root, and no calls home (the
# closed network refuses them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FLAGS = ["--headless", *CHROMIUM_ARGS, "--hide-scrollbars", "--virtual-time-budget=5000"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here: install Debian's chromium to run browser tests"
)


def chromium(tmp_path, *args: str) -> str:
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def photo_b64(color) -> str:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), color).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


async def test_a_published_car_in_a_phone_sized_browser(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]
    async with httpx.AsyncClient() as client:
        seller = Seller(client, simulator, server.url)
        await seller.say(UPLOAD)
        await seller.reply()
        for color in ("red", "green", "blue"):
            await seller.send_photo(color, 0.2)
        await seller.reply()
        await seller.say("selesai")
        while "Preview" not in await seller.reply():
            pass
        await seller.say("ya")
        published = await seller.reply()
        link = re.search(r"(http://\S+)", published).group(1)
        for url in re.findall(r'src="(/media/[^"]+)"', (await client.get(link)).text):
            assert (await client.get(showroom.web.url + url)).status_code == 200

        dom = await trio.to_thread.run_sync(chromium, tmp_path, "--dump-dom", link)
        shot = tmp_path / "car-page-phone.png"
        await trio.to_thread.run_sync(
            chromium, tmp_path, "--window-size=412,915", f"--screenshot={shot}", link
        )
    assert len(re.findall(r'<img src="/media/demo/', dom)) == 3
    # with the simulator as the gateway, the button opens its chat page as a new buyer
    assert f'class="whatsapp" href="{server.url}/?as=new-buyer&amp;text=Halo' in dom
    assert "Honda Freed PSD 2012" in dom and "Rp 145.000.000" in dom
    with Image.open(shot) as image:
        assert image.size == (412, 915)
        colors = image.convert("RGB").resize((41, 91)).getcolors(maxcolors=10_000)
        assert colors is not None and len(colors) > 20  # a real page, not a blank one
