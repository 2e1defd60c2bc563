"""A view's components through real discord.py and the fake gateway: clicks answered in time, in place."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.briefer import Briefer
from bot.core.store import load_store
from bot.core.views.routes import decode
from tests.adapters.discord.test_adapter import TOKEN, brief_command, run_command
from tests.conftest import BRIEFS
from tests.fakes.digest_world import write_config
from tests.fakes.discord_api import GUILD_ID, FakeDiscordAPI, embed_errors
from tests.fakes.discord_components import click, components_of, message_payload
from tests.polling import wait_for
from tests.processes import BotProcess, bot_env, free_port

UPDATE_MESSAGE = 7
CHANNEL_MESSAGE = 4


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordAPI]:
    api = await FakeDiscordAPI().start()
    yield api
    await api.stop()


async def start(fake: FakeDiscordAPI) -> DiscordAdapter:
    bot = DiscordAdapter(Briefer(load_store(BRIEFS)), TOKEN, guild_id=int(GUILD_ID), api_url=fake.api_url,
                         gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
    await bot.start()
    return bot


async def summary_message(fake: FakeDiscordAPI, topic: str = "china") -> dict[str, Any]:
    answer = await run_command(fake, brief_command(topic))
    return message_payload(answer["callback"]["data"], message_id="1300000000000000001")


async def clicked(fake: FakeDiscordAPI, message: dict[str, Any], component: dict[str, Any], option: int = 0) -> dict[str, Any]:
    """Click through the gateway; the callback, which the fake only takes within Discord's 3 s."""
    payload = click(message, component, option)
    await fake.dispatch("INTERACTION_CREATE", payload)
    seen = fake.interactions[payload["id"]]
    await wait_for(lambda: bool(seen.callbacks), timeout=3.0)
    return seen.callbacks[0]


def every_click(message: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    out = []
    for c in components_of(message):
        out += [(c, n) for n in range(len(c["options"]) if c["type"] == 3 else 1)]
    return out


def route_of(component: dict[str, Any], option: int) -> str:
    return component["options"][option]["value"] if component["type"] == 3 else component["custom_id"]


TITLES = {"thesis": "Theses:", "flagged": "Flagged:", "positions": "Positions:", "sources": "Sources:",
          "source": "Source:", "claim": "Claim:", "summary": "Brief:"}


async def test_every_component_of_the_summary_edits_the_message_in_place(fake: FakeDiscordAPI) -> None:
    bot = await start(fake)
    try:
        message = await summary_message(fake)
        found = every_click(message)
        assert {c["type"] for c, _ in found} == {2, 3} and len(found) >= 8
        assert all(len(c["custom_id"]) <= 100 for c, _ in found)
        for component, option in found:
            callback = await clicked(fake, message, component, option)
            assert callback["type"] == UPDATE_MESSAGE
            data = callback["data"]
            assert embed_errors(data["embeds"]) == [] and data["allowed_mentions"] == {"parse": []}
            assert data["embeds"][0]["title"].startswith(TITLES[decode(route_of(component, option)).view])
            labels = [c.get("label") for c in components_of(data)]
            assert "⬅ Back" in labels
    finally:
        await bot.close()


async def test_a_click_on_a_channel_message_answers_the_clicker_privately(fake: FakeDiscordAPI) -> None:
    bot = await start(fake)
    try:
        message = await summary_message(fake)
        message["flags"] = 0  # as if posted to the channel (a digest, a public brief)
        flagged = next(c for c in components_of(message) if c.get("label", "").startswith("Flagged"))
        callback = await clicked(fake, message, flagged)
        assert callback["type"] == CHANNEL_MESSAGE and callback["data"]["flags"] & 64
        assert callback["data"]["embeds"][0]["title"] == "Flagged: China"
    finally:
        await bot.close()


async def test_pages_turn_and_back_returns(fake: FakeDiscordAPI) -> None:
    bot = await start(fake)
    try:
        message = await summary_message(fake, "ukraine")
        flagged = next(c for c in components_of(message) if c.get("label", "").startswith("Flagged"))
        first = await clicked(fake, message, flagged)
        page = message_payload(first["data"], message_id="1300000000000000002")
        nxt = next(c for c in components_of(page) if "▶" in (c.get("label") or ""))
        second = await clicked(fake, page, nxt)
        assert "page 2 of" in str(second["data"]["embeds"])
        back = next(c for c in components_of(message_payload(second["data"], message_id="1300000000000000003"))
                    if c.get("label") == "⬅ Back")
        summary = await clicked(fake, page, back)
        assert summary["data"]["embeds"][0]["title"] == "Brief: Ukraine and the war"
    finally:
        await bot.close()


async def test_clicks_are_answered_by_a_freshly_restarted_process(fake: FakeDiscordAPI, tmp_path: Path) -> None:
    """The summary comes from one process; every click on it goes to another, started after it stopped."""
    config = write_config(tmp_path / "config", channels=1, schedule='{time: "08:00"}', timezone="UTC")
    env = bot_env(DISCORD_TOKEN=TOKEN, DISCORD_API_URL=fake.api_url, DISCORD_GATEWAY_URL=fake.gateway_url,
                  DISCORD_GUILD_ID=GUILD_ID, HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"),
                  CONFIG_DIR=str(config), BRIEFS_DIR=str(BRIEFS), CONSOLE="false")
    first = await BotProcess.start({**env, "PORT": str(free_port())}, "--no-digests")
    try:
        await first.wait_ready()
        message = await summary_message(fake)
    finally:
        first.signal()
        await first.wait_exit()
    fake.connected.clear()
    second = await BotProcess.start({**env, "PORT": str(free_port())}, "--no-digests")
    try:
        await second.wait_ready()
        for component, option in every_click(message)[:12]:
            callback = await clicked(fake, message, component, option)
            assert callback["type"] == UPDATE_MESSAGE
            assert not callback["data"]["embeds"][0]["title"].startswith("⚠️")
    finally:
        second.signal()
        await second.wait_exit()
        await asyncio.sleep(0)


async def test_a_digest_post_carries_a_button_per_topic(fake: FakeDiscordAPI) -> None:
    from bot.core.digest import compose_digest, digest
    from tests.fakes.discord_api import CHANNEL_ID

    bot = await start(fake)
    try:
        result, _ = digest(bot.briefer.store, "all", None)
        receipt = await bot.post(CHANNEL_ID, compose_digest(result, "Digest morning"), key="morning|c|p1")
        assert len(receipt.message_ids) == 1
        posted = fake.messages[CHANNEL_ID][0]
        buttons = components_of(posted)
        assert [b["label"] for b in buttons][:2] == ["China", "Energy and natural resources"]
        callback = await clicked(fake, posted, buttons[0])
        assert callback["type"] == CHANNEL_MESSAGE and callback["data"]["flags"] & 64
        assert callback["data"]["embeds"][0]["title"] == "Brief: China"
    finally:
        await bot.close()
