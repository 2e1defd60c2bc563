"""With PUBLIC_URL, a Discord brief ends with an "Open in browser" link button to its signed page; without, none."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.base import OPEN_IN_BROWSER
from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.briefer import Briefer
from tests.adapters.discord.test_adapter import brief_command, make_adapter, run_command
from tests.fakes.discord_api import FakeDiscordAPI
from tests.web.helpers import SECRET, client, pages

PUBLIC = "https://brief.example.org"
LINK_STYLE = 5  # https://discord.com/developers/docs/components/reference#button-button-styles


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordAPI]:
    api = await FakeDiscordAPI().start()
    yield api
    await api.stop()


def components_of(answer: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Each message's components, in order: the callback's, then each followup's."""
    messages = [answer["callback"].get("data", {}), *answer["followups"]]
    return [m.get("components", []) for m in messages]


def link_buttons(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for row in rows for c in row.get("components", []) if c.get("style") == LINK_STYLE]


async def test_a_brief_links_to_its_signed_page(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    p = pages(lambda: fixture_briefer.store, web_signing_secret=SECRET, public_url=PUBLIC)
    bot: DiscordAdapter = make_adapter(fixture_briefer, fake)
    bot.web_link = p.chat_link
    await bot.start()
    try:
        answer = await run_command(fake, brief_command("chine"))
        [button] = link_buttons(components_of(answer)[-1])  # the link rides on the last message
        assert (button["type"], button["label"]) == (2, OPEN_IN_BROWSER)
        assert button["url"].startswith(f"{PUBLIC}/topics/china?exp=") and "custom_id" not in button
        assert all(not link_buttons(c) for c in components_of(answer)[:-1])
        error = await run_command(fake, brief_command("no-such-topic-at-all"))
        assert all(not link_buttons(c) for c in components_of(error))  # an error has no page
    finally:
        await bot.close()
    async with client(p) as web:
        assert (await web.get(button["url"].removeprefix(PUBLIC))).status == 200


async def test_without_public_url_no_link_and_no_error(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    bot = make_adapter(fixture_briefer, fake)
    await bot.start()
    try:
        answer = await run_command(fake, brief_command("chine"))
        assert all(not link_buttons(c) for c in components_of(answer))
        assert answer["callback"]["data"]["embeds"][0]["title"] == "Brief: China"
    finally:
        await bot.close()


async def test_a_card_opened_by_a_click_links_to_its_page(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    from tests.fakes.discord_components import click, message_payload
    from tests.polling import wait_for

    p = pages(lambda: fixture_briefer.store, web_signing_secret=SECRET, public_url=PUBLIC)
    bot = make_adapter(fixture_briefer, fake)
    bot.web_link = p.chat_link
    await bot.start()
    try:
        answer = await run_command(fake, brief_command("chine"))
        message = message_payload(answer["callback"]["data"], message_id="1300000000000000001")
        select = next(c for row in message["components"] for c in row["components"] if c["type"] == 3)
        n = next(i for i, o in enumerate(select["options"]) if ":source:" in o["value"])
        source_id = select["options"][n]["value"].split(":")[2]
        payload = click(message, select, n)
        await fake.dispatch("INTERACTION_CREATE", payload)
        seen = fake.interactions[payload["id"]]
        await wait_for(lambda: bool(seen.callbacks), timeout=3.0)
        [button] = link_buttons(seen.callbacks[0]["data"]["components"])
        assert button["url"].startswith(f"{PUBLIC}/sources/{source_id}?exp=")
    finally:
        await bot.close()
    async with client(p) as web:
        assert (await web.get(button["url"].removeprefix(PUBLIC))).status == 200
