"""The simulator's chat page in a real browser: headless Chromium driven by Playwright, clicking
and typing as a person would, against the whole bot.

A seller sends an album whose first photo carries the listing, types `selesai` and `ya`; the
published car's link opens the catalog, whose "Chat via WhatsApp" opens the page again as a new
buyer with the message typed in. The buyer's conversation and the seller's stay apart, the
bot's photos show as photos, and whatever the bot sends the seller (an alert) shows in the
seller's chat. The buyer's answers are not checked word for word: only that they come.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import trio
from PIL import Image, ImageDraw

from gateways.simulator_chats import DEMO_SELLER, ChatLog
from tests.system.test_browser import CHROMIUM, CHROMIUM_ARGS

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # the test extras were not installed
    sync_playwright = None

LISTING = "Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt"
HOSTILE = '<img src=x onerror="window.pwned=true"><script>window.pwned=true</script> *tebal*'
WAIT_MS = 30_000  # the longest wait for one thing to appear (the bot answers in about a second)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium here: install Debian's chromium to run browser tests"
    ),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]


async def test_a_seller_then_a_buyer_on_the_simulator_page(showroom, tmp_path):
    _, server = showroom.simulators["demo"]
    photos = [car_photo(tmp_path, color, n) for n, color in enumerate(("firebrick", "teal"))]
    seen = await trio.to_thread.run_sync(
        partial(play_the_tour, server.url, showroom.web.url, photos, tmp_path)
    )

    seller, buyer = seen["seller"], seen["buyer"]
    # the seller's side: the captioned album, both ticks, the bot's answers, the alert
    assert seller["photos_sent"] == 2 and seller["captions"] == [LISTING]
    assert seller["ticks"] and set(seller["ticks"]) == {"delivered"}
    assert "selesai" in seller["texts"] and "ya" in seller["texts"]
    assert any("/cars/" in text for text in seller["bot_texts"])
    assert seen["alert"] in seller["bot_texts"]
    # the buyer's side: their message, typed in from the catalog, and a reply from the bot
    assert buyer["texts"][0] == seen["prefilled"] and buyer["bot_texts"]
    # the bot's photo, shown as a photo with its caption (the bot may send others of its own)
    assert seen["photo_caption"] in buyer["bot_captions"]
    assert buyer["name"].startswith("Pembeli") and buyer["number"] != DEMO_SELLER
    # and the two never mix
    assert not set(buyer["texts"]) & set(seller["texts"])
    assert seen["prefilled"] not in seller["all_text"] and LISTING not in buyer["all_text"]
    # no script error, CSP violation or failed request on the chat page (the catalog's own
    # console, with its missing favicon, is not this test's business)
    assert [e for e in seen["errors"] if e.startswith(server.url)] == []
    for shot, size in seen["screenshots"]:
        assert_real_page(shot, size)


async def test_adding_a_number_and_what_strangers_type_on_the_simulator_page(showroom, tmp_path):
    simulator, server = showroom.simulators["demo"]

    def restart_the_simulator() -> None:  # what a page sees when the bot is restarted
        simulator.chats = ChatLog.for_people()

    seen = await trio.to_thread.run_sync(
        partial(add_a_number_and_be_hostile, server.url, tmp_path, restart_the_simulator)
    )
    assert seen["header"] == "<b>Ani</b>" and seen["number"] == "6281122223333"
    assert seen["listed"] == ["<b>Ani</b>"]
    # shown as the text it is, with WhatsApp's *bold* as bold
    shown = HOSTILE.replace("*tebal*", "tebal")
    assert seen["texts"] == [shown] and shown in seen["bot_texts"]
    assert seen["bold"].count("tebal") == 2
    assert seen["injected"] == 0 and seen["pwned"] is False
    assert seen["links"] == ["https://example.com/a?b=1"]  # only http(s) become links
    assert seen["images"] == []  # an image from elsewhere is not shown
    assert seen["after_reload"] == "<b>Ani</b>"
    assert seen["after_restart"] == ["Halo lagi"]  # the old chat is gone, the new one shows
    assert [e for e in seen["errors"] if e.startswith(server.url)] == []


def add_a_number_and_be_hostile(
    simulator: str, tmp_path: Path, restart_the_simulator: Callable[[], None]
) -> dict:
    with browser_tab(tmp_path) as (page, errors):
        page.goto(simulator + "/")
        page.click("#add-toggle")
        page.fill("#add-phone", "0811 2222 3333")
        page.fill("#add-name", "<b>Ani</b>")
        page.press("#add-name", "Enter")
        page.wait_for_selector('#chats li.active[data-number="6281122223333"]')
        say(page, HOSTILE)
        wait_for_count(page, ".bubble.bot", 1)  # whatever the bot makes of it
        # The bot (or anyone who reached the gateway) sends markup, scripts and odd links.
        send(simulator, "6281122223333", HOSTILE)
        send(simulator, "6281122223333", "javascript:alert(1) https://example.com/a?b=1.")
        wait_for_bot_text(page, "example.com")
        injected = page.evaluate(
            "() => document.querySelectorAll('#log img, #log script, #chats b').length"
        )
        seen = conversation(page)
        seen.update(
            header=page.text_content("#chat-name"),
            listed=page.locator("#chats li.active .name").evaluate_all(
                "(names) => names.map((n) => n.firstChild.textContent)"
            ),
            injected=injected,
            pwned=page.evaluate("() => window.pwned === true"),
            links=page.locator("#log a").evaluate_all("(links) => links.map((a) => a.href)"),
            images=page.locator("#log img").evaluate_all("(images) => images.map((i) => i.src)"),
            bold=page.locator("#log b").all_text_contents(),
            errors=errors,
        )
        page.goto(simulator + "/?as=6281122223333")
        page.wait_for_selector('#chats li.active[data-number="6281122223333"]')
        seen["after_reload"] = page.text_content("#chat-name")
        wait_for_bot_text(page, "example.com")
        trio.from_thread.run_sync(restart_the_simulator)
        send(simulator, "6281122223333", "Halo lagi")
        page.wait_for_function(
            "() => document.querySelectorAll('.bubble').length === 1"
            " && document.querySelector('.bubble.bot').textContent.includes('Halo lagi')"
        )
        seen["after_restart"] = conversation(page)["bot_texts"]
        return seen


# -- the tour, in a worker thread (Playwright's sync API; the bot runs in the test's loop) --------


@contextlib.contextmanager
def browser_tab(tmp_path: Path) -> Iterator[tuple[Page, list[str]]]:
    """A desktop-sized tab of Debian's Chromium, and the errors of every tab it opens; on a
    failure, what each tab showed is kept in `tmp_path` and printed."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            context.on("page", partial(collect_errors, errors=errors))
            yield context.new_page(), errors
        except Exception:
            keep_evidence(browser, tmp_path)
            raise
        finally:
            browser.close()


def play_the_tour(simulator: str, catalog: str, photos: list[Path], tmp_path: Path) -> dict:
    with browser_tab(tmp_path) as (page, errors):
        context = page.context
        page.goto(simulator + "/")
        seen: dict = {"errors": errors, "screenshots": []}

        # The seller (the page opens their chat): an album, the listing under the first photo.
        page.wait_for_selector(f'#chats li.active[data-number="{DEMO_SELLER}"]')
        page.set_input_files("#photos", [str(p) for p in photos])
        page.locator("#album-photos li").first.click()
        page.fill("#album-caption", LISTING)  # under the first photo
        page.click("#album-send")
        wait_for_count(page, ".bubble.person img", 2)
        wait_for_count(page, '.bubble.person .ticks[data-status="delivered"]', 2)
        wait_for_count(page, ".bubble.bot", 1)
        answers = say(page, "selesai")
        wait_for_bot_text(page, "145.000.000", after=answers)  # the preview, price read
        say(page, "ya")
        published = page.locator(".bubble.bot a[href*='/cars/']").last
        published.wait_for()
        car_url = published.get_attribute("href") or ""

        # The link opens the car in the catalog, whose button opens the page as a new buyer.
        with context.expect_page() as opened:
            published.click()
        car = opened.value
        chat_button = car.locator("a.whatsapp")
        href = chat_button.get_attribute("href") or ""
        assert href.startswith(simulator + "/?as=new-buyer&text="), href
        [seen["prefilled"]] = parse_qs(urlsplit(href).query)["text"]
        assert car.locator('.gallery img[src^="/media/"]').count() == 2
        chat_button.click()
        car.wait_for_url(re.compile(r"\?as=\d+$"))  # a reload keeps the same buyer
        car.wait_for_selector("#chats li.active .role.buyer")
        assert car.input_value("#text") == seen["prefilled"]
        car.press("#text", "Enter")
        wait_for_count(car, '.bubble.person .ticks[data-status="delivered"]', 1)
        wait_for_count(car, ".bubble.bot", 1)  # the bot answers the buyer, however it does
        buyer = car.locator("#chats li.active").get_attribute("data-number") or ""

        # What the buyer side will send: a car's photo with its caption.
        seen["photo_caption"] = "Foto Honda Freed PSD 2012"
        send(simulator, buyer, seen["photo_caption"], first_photo(catalog, car_url))
        car.wait_for_function(
            "(caption) => [...document.querySelectorAll('.bubble.bot')].some((bubble) =>"
            " bubble.textContent.includes(caption) && bubble.querySelector('img')?.complete"
            " && bubble.querySelector('img').naturalWidth > 0)",
            arg=seen["photo_caption"],
        )
        # An alert to the seller, while the buyer's chat is open: it waits, marked unread.
        seen["alert"] = "Pembeli ingin bicara dengan Anda (tes)"
        send(simulator, DEMO_SELLER, seen["alert"])
        car.wait_for_selector(f'#chats li[data-number="{DEMO_SELLER}"] .unread')
        seen["buyer"] = conversation(car)
        shot = tmp_path / "chat-buyer-desktop.png"
        car.screenshot(path=str(shot))
        seen["screenshots"].append((shot, (1280, 800)))

        # Switch to the seller: the alert is there, none of the buyer's messages are.
        car.click(f'#chats li[data-number="{DEMO_SELLER}"]')
        car.wait_for_selector(f'#chats li.active[data-number="{DEMO_SELLER}"]')
        wait_for_bot_text(car, seen["alert"])
        seen["seller"] = conversation(car)
        assert car.locator(f'#chats li[data-number="{DEMO_SELLER}"] .unread').count() == 0

        # The same chat on a phone-sized screen.
        car.set_viewport_size({"width": 412, "height": 915})
        shot = tmp_path / "chat-seller-phone.png"
        car.screenshot(path=str(shot))
        seen["screenshots"].append((shot, (412, 915)))
        return seen


def keep_evidence(browser, tmp_path: Path) -> None:
    """On a failure: a screenshot of every tab and what its chat shows, for the report."""
    for c, context in enumerate(browser.contexts):
        for n, tab in enumerate(context.pages):
            shot = tmp_path / f"failure-{c}-{n}.png"
            tab.screenshot(path=str(shot))
            text = tab.evaluate("() => document.body.innerText")
            print(f"--- tab {n} ({tab.url}), screenshot {shot}:\n{text}")


def collect_errors(page: Page, errors: list[str]) -> None:
    """Script errors, console errors (a CSP violation is one) and failed requests of a tab,
    each after the address of the page it happened on."""
    page.on("pageerror", lambda error: errors.append(f"{page.url} {error}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url} {m.text}"))
    page.on("requestfailed", lambda r: errors.append(f"{page.url} failed: {r.url}"))
    page.on(
        "response", lambda r: r.status >= 400 and errors.append(f"{page.url} {r.status}: {r.url}")
    )


def say(page: Page, words: str) -> int:
    """Type in the composer and press Enter, as a person does; returns how many of the bot's
    messages the chat showed before."""
    page.click("#text")
    page.keyboard.type(words)
    before = page.locator(".bubble.person").count()
    answers = page.locator(".bubble.bot").count()
    page.keyboard.press("Enter")
    wait_for_count(page, ".bubble.person", before + 1)
    return answers


def wait_for_count(page: Page, selector: str, count: int) -> None:
    page.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length >= count",
        arg=[selector, count],
    )


def wait_for_bot_text(page: Page, words: str, after: int = 0) -> None:
    """Until one of the bot's messages (past the first `after`) contains `words`."""
    page.wait_for_function(
        "([words, after]) => [...document.querySelectorAll('.bubble.bot')].slice(after)"
        ".some((bubble) => bubble.textContent.includes(words))",
        arg=[words, after],
    )


def conversation(page: Page) -> dict:
    """What the open chat shows, side by side."""
    return page.evaluate(
        """() => {
        const texts = (author) => [...document.querySelectorAll(`.bubble.${author}`)]
          .map((b) => b.querySelector('.text')?.textContent ?? '').filter((t) => t);
        return {
          name: document.getElementById('chat-name').textContent,
          number: document.querySelector('#chats li.active')?.dataset.number,
          texts: texts('person'),
          bot_texts: texts('bot'),
          photos_sent: document.querySelectorAll('.bubble.person img').length,
          captions: [...document.querySelectorAll('.bubble.person')]
            .filter((b) => b.querySelector('img') && b.querySelector('.text'))
            .map((b) => b.querySelector('.text').textContent),
          bot_captions: [...document.querySelectorAll('.bubble.bot')]
            .filter((b) => b.querySelector('img') && b.querySelector('.text'))
            .map((b) => b.querySelector('.text').textContent),
          ticks: [...document.querySelectorAll('.bubble.person .ticks')]
            .map((t) => t.dataset.status),
          all_text: document.getElementById('log').textContent,
        };
      }"""
    )


def send(simulator: str, to: str, words: str, image_url: str = "") -> None:
    """What the bot does: `POST /send` on the gateway, with a photo it downloads."""
    body: dict = {"number": to, "message": words}
    if image_url:
        body["attachments"] = [{"type": "image", "url": image_url}]
    answer = httpx.post(f"{simulator}/send", json=body, timeout=30)
    assert answer.json()["success"] is True, answer.text


def first_photo(catalog: str, car_url: str) -> str:
    """The first photo of the car page at `car_url`, as the bot would send it."""
    html = httpx.get(car_url, timeout=30).text
    return catalog + re.search(r'src="(/media/[^"]+)"', html).group(1)


def car_photo(tmp_path: Path, color: str, n: int) -> Path:
    """A photo with something in it (the bot keeps one copy of the same picture)."""
    image = Image.new("RGB", (1600, 1200), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((300 + 100 * n, 400, 1300, 900), fill="white")
    draw.ellipse((400, 800, 650, 1050), fill="black")
    draw.ellipse((950, 800, 1200, 1050), fill="black")
    path = tmp_path / f"car-{n}.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def assert_real_page(shot: Path, size: tuple[int, int]) -> None:
    with Image.open(shot) as image:
        assert image.size == size
        colors = image.convert("RGB").resize((size[0] // 10, size[1] // 10)).getcolors(10_000)
    assert colors is not None and len(colors) > 20  # a rendered page, not a blank one
