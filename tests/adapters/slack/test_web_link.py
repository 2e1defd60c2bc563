"""With PUBLIC_URL, a Slack brief carries an "Open in browser" link button to its signed page; without, none."""
from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.adapters.base import OPEN_IN_BROWSER
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.blocks import OPEN_WEB_ACTION
from bot.core.briefer import Briefer
from tests.adapters.slack.test_adapter import Served, command, send, serve
from tests.fakes.slack_api import FakeSlackAPI, block_problems
from tests.fakes.slack_requests import button_click_body
from tests.web.helpers import SECRET, client, pages

PUBLIC = "https://brief.example.org"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackAPI]:
    api = await FakeSlackAPI().start()
    yield api
    await api.stop()


async def served_with(fake: FakeSlackAPI, briefer: Briefer, **web: object) -> tuple[SlackAdapter, object]:
    adapter = await serve(fake, briefer)
    p = pages(lambda: briefer.store, web_signing_secret=SECRET, **web)
    adapter.web_link = p.chat_link if web.get("public_url") else None  # as the app wires it
    return adapter, p


def buttons(reply: dict) -> list[dict]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_a_brief_links_to_its_signed_page(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    adapter, p = await served_with(fake, fixture_briefer, public_url=PUBLIC)
    try:
        async with aiohttp.ClientSession() as http:
            served: Served = (fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http)
            reply = (await command(served, "china"))[0]
            found = {b["action_id"]: b for b in buttons(reply)}
            assert OPEN_WEB_ACTION in found and [b for b in buttons(reply) if "url" in b] == [found[OPEN_WEB_ACTION]]
            link = found[OPEN_WEB_ACTION]
            assert link["text"]["text"] == OPEN_IN_BROWSER and link["url"].startswith(f"{PUBLIC}/topics/china?exp=")
            assert block_problems(reply["blocks"]) == []
            error = (await command(served, "no-such-topic-at-all"))[0]
            assert all("url" not in b for b in buttons(error))  # an error has no page
            status, body = await send(http, served[2], button_click_body(OPEN_WEB_ACTION, "", fake.response_url("T1/3/x")))
            assert (status, body) == (200, "")  # the click is acknowledged, nothing is posted
        async with client(p) as web:  # type: ignore[arg-type]
            assert (await web.get(link["url"].removeprefix(PUBLIC))).status == 200
            parts = urlsplit(link["url"])
            assert (await web.get(parts.path + "?" + parts.query.replace("sig=", "sig=0"))).status == 403
    finally:
        await adapter.close()


async def test_without_public_url_no_link_and_no_error(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    adapter, _ = await served_with(fake, fixture_briefer)
    try:
        async with aiohttp.ClientSession() as http:
            reply = (await command((fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http), "china"))[0]
        assert buttons(reply) and all("url" not in b for b in buttons(reply))
        assert OPEN_WEB_ACTION not in {b["action_id"] for b in buttons(reply)} and fake.refused == []
    finally:
        await adapter.close()


async def test_a_card_opened_by_a_click_links_to_its_page(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    from tests.fakes.slack_actions import click_body, elements

    adapter, p = await served_with(fake, fixture_briefer, public_url=PUBLIC)
    try:
        async with aiohttp.ClientSession() as http:
            served: Served = (fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http)
            summary = (await command(served, "china"))[0]
            pick = next(e for e in elements(summary["blocks"]) if e["type"] == "static_select")
            n = next(i for i, o in enumerate(pick["options"]) if ":claim:" in o["value"])
            claim_id = pick["options"][n]["value"].split(":")[2]
            before = len(fake.replies)
            status, _ = await send(http, served[2], click_body(pick, fake.response_url("T1/4/pick"), option=n))
            assert status == 200
            await fake.wait_for(lambda: len(fake.replies) > before)
            card = fake.replies[-1].body
            [link] = [b for b in buttons(card) if "url" in b]
            assert link["url"].startswith(f"{PUBLIC}/claims/{claim_id}?exp=")
        async with client(p) as web:  # type: ignore[arg-type]
            assert (await web.get(link["url"].removeprefix(PUBLIC))).status == 200
    finally:
        await adapter.close()
