"""A real headless chromium over the China page: it renders, the stance matrix shows, the links between
topic, claim and source pages work, the console stays clean, and it fits a phone's width.

Screenshots go to artifacts/web/ (git-ignored); docs/web-china.png is a committed copy for the README.
"""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from aiohttp import web

from bot.core.briefing import brief
from bot.core.store import Store
from tests.conftest import ROOT
from tests.web.cdp import chromium, find_chromium
from tests.web.helpers import SECRET, pages

ARTIFACTS = ROOT / "artifacts" / "web"
TEST_TIMEOUT_S = 90


@pytest.fixture
def browser_binary() -> str:
    found = find_chromium()
    if found is None:
        reason = "no chromium on PATH: run scripts/install-chromium.sh (Debian's chromium) to run the browser test"
        if os.environ.get("BRIEFBOT_REQUIRE_CHROMIUM") or os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


async def serve(store: Store) -> tuple[web.AppRunner, str, object]:
    p = pages(lambda: store, web_signing_secret=SECRET, public_url="http://127.0.0.1")
    app = web.Application()
    app.add_routes(p.routes())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}", p


async def test_the_china_page_in_a_real_browser(store: Store, browser_binary: str, tmp_path: Path) -> None:
    b = brief(store, store.topics["china"])
    runner, base, p = await serve(store)
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), chromium(browser_binary, tmp_path / "profile") as page:
            link = p.chat_link("/topics/china")  # what a chat button carries
            assert link is not None
            await page.goto(base + link.removeprefix("http://127.0.0.1"))
            assert await page.eval("document.title") == "Brief: China · briefbot"
            assert await page.eval("document.querySelector('h1').textContent") == "Brief: China"
            cells = await page.eval("document.querySelectorAll('svg[data-matrix] g.cell').length")
            assert cells == len(b.positions) * len(b.theses) > 0
            box = await page.eval("(() => { const r = document.querySelector('svg[data-matrix]')"
                                  ".getBoundingClientRect(); return [r.width, r.height]; })()")
            assert box[0] > 200 and box[1] > 100  # drawn, not collapsed
            assert await page.eval("document.querySelector('blockquote[lang=fr]') !== null")
            await page.screenshot(ARTIFACTS / "china.png")
            await page.screenshot(ARTIFACTS / "china-full.png", full=True)

            claim_href = await page.click("a[href^='/claims/']")
            assert await page.eval("location.pathname") == claim_href.split("?")[0]
            assert await page.eval("document.querySelector('main .label').textContent.trim().length > 2")
            await page.screenshot(ARTIFACTS / "claim.png")
            source_href = await page.click("main a[href^='/sources/']")
            assert await page.eval("location.pathname") == source_href.split("?")[0]
            await page.screenshot(ARTIFACTS / "source.png")
            assert await page.click("main a[href^='/topics/china']")
            assert await page.eval("location.pathname") == "/topics/china"

            # A phone: nothing wider than the screen except the matrix, which scrolls in its own box.
            await page.send("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
            await page.goto(base + link.removeprefix("http://127.0.0.1"))
            assert await page.eval("document.documentElement.scrollWidth <= window.innerWidth")
            await page.screenshot(ARTIFACTS / "china-phone.png")

            assert [status for _, status in page.documents] == [200] * len(page.documents)
            assert len(page.documents) == 5
            assert page.console_errors == []
    finally:
        await runner.cleanup()
    assert (ARTIFACTS / "china.png").stat().st_size > 10_000
