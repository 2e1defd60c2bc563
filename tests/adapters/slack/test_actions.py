"""Clicks on a view's buttons and select, through the real bolt app over loopback against the fake Slack."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack.actions import SHARE_ACTION
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.blocks import PICK_ACTION
from bot.core.briefer import Briefer
from bot.core.store import load_store
from bot.core.views.routes import decode
from tests.adapters.budgets import slack_visible
from tests.conftest import BRIEFS
from tests.fakes.big_edit import big_edit
from tests.fakes.digest_world import write_config
from tests.fakes.slack_actions import click_body, elements
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI, block_problems
from tests.fakes.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body
from tests.processes import BotProcess, bot_env, free_port

ACK_WITHIN = 3.0
hooks = iter(range(10_000))


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackAPI]:
    api = await FakeSlackAPI().start()
    yield api
    await api.stop()


async def start(fake: FakeSlackAPI) -> SlackAdapter:
    adapter = SlackAdapter(Briefer(load_store(BRIEFS)), bot_token=BOT_TOKEN, mode="http",
                           signing_secret=SIGNING_SECRET, api_url=fake.api_url, host="127.0.0.1", port=0)
    await adapter.start()
    return adapter


async def post(url: str, body: str) -> tuple[int, float]:
    """POST a signed request; its status and how long the ack took."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers=signed_headers(body)) as resp:
            await resp.read()
            return resp.status, time.perf_counter() - started


async def reply_to(fake: FakeSlackAPI, url: str, body_for: Any) -> dict[str, Any]:
    """Send a request whose response_url is a fresh hook; assert a quick ack; the one reply it got."""
    hook = f"T1/{next(hooks)}/h"
    status, took = await post(url, body_for(fake.response_url(hook)))
    assert status == 200 and took < ACK_WITHIN
    name = hook.replace("/", "-")
    await fake.wait_for(lambda: any(r.hook == name for r in fake.replies))
    got = [r.body for r in fake.replies if r.hook == name]
    assert len(got) == 1 and fake.refused == []
    return got[0]


def summary_body(text: str = "china") -> Any:
    return lambda hook: slash_command_body(text, hook)


def clicks(blocks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Every element of a message, and every option of its select."""
    out = []
    for element in elements(blocks):
        options = len(element["options"]) if element["type"] == "static_select" else 1
        out += [(element, n) for n in range(options)]
    return out


def assert_fits(reply: dict[str, Any]) -> None:
    assert block_problems(reply["blocks"]) == [] and len(reply["blocks"]) <= 50
    assert slack_visible(reply["blocks"]) <= 4000


async def test_every_element_of_the_summary_acks_and_replaces_the_message(fake: FakeSlackAPI) -> None:
    adapter = await start(fake)
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        summary = await reply_to(fake, url, summary_body())
        found = clicks(summary["blocks"])
        kinds = {e["type"] for e, _ in found}
        assert kinds == {"button", "static_select"} and len(found) >= 8
        for element, option in found:
            reply = await reply_to(fake, url, lambda hook: click_body(element, hook, option=option))
            assert_fits(reply)
            route = element["options"][option]["value"] if element["type"] == "static_select" else element["value"]
            header = reply["blocks"][0]["text"]["text"]
            if element["action_id"] == SHARE_ACTION:
                assert reply["response_type"] == "in_channel" and reply["replace_original"] is False
                assert header == "Brief: China" and SHARE_ACTION not in {e["action_id"] for e in elements(reply["blocks"])}
                continue
            assert reply["replace_original"] is True  # the ephemeral message is replaced in place
            view = decode(route).view
            expected = {"thesis": "Theses:", "flagged": "Flagged:", "positions": "Positions:", "sources": "Sources:",
                        "source": "Source:", "claim": "Claim:"}[view]
            assert header.startswith(expected), (view, header)
            ids = {e["action_id"] for e in elements(reply["blocks"])}
            assert SHARE_ACTION in ids  # the view on screen can be posted to the channel
            back = [e for e in elements(reply["blocks"]) if e["type"] == "button" and e["text"]["text"] == "⬅ Back"]
            assert back, f"{view} view has no Back button"
    finally:
        await adapter.close()


async def test_back_returns_to_the_summary_and_pages_turn_in_place(fake: FakeSlackAPI) -> None:
    adapter = await start(fake)
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        flagged = await reply_to(fake, url, summary_body("ukraine flagged"))
        assert flagged["blocks"][0]["text"]["text"] == "Flagged: Ukraine and the war"
        nxt = next(e for e in elements(flagged["blocks"]) if e["type"] == "button" and "▶" in e["text"]["text"])
        second = await reply_to(fake, url, lambda hook: click_body(nxt, hook))
        assert "page 2 of" in str(second["blocks"]) and second["replace_original"] is True
        back = next(e for e in elements(second["blocks"]) if e["type"] == "button" and e["text"]["text"] == "⬅ Back")
        summary = await reply_to(fake, url, lambda hook: click_body(back, hook))
        assert summary["blocks"][0]["text"]["text"] == "Brief: Ukraine and the war"
    finally:
        await adapter.close()


async def test_a_click_on_a_channel_message_answers_only_the_clicker(fake: FakeSlackAPI) -> None:
    adapter = await start(fake)
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        summary = await reply_to(fake, url, summary_body())
        flagged = next(e for e in elements(summary["blocks"]) if e["text"]["text"].startswith("Flagged"))
        reply = await reply_to(fake, url, lambda hook: click_body(flagged, hook, ephemeral=False))
        assert (reply["response_type"], reply["replace_original"]) == ("ephemeral", False)
    finally:
        await adapter.close()


async def test_a_forged_or_stale_value_gets_a_clear_answer(fake: FakeSlackAPI) -> None:
    adapter = await start(fake)
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        forged = {"type": "button", "action_id": "bb_go_0", "value": "<!channel> bb1:claim:x",
                  "text": {"type": "plain_text", "text": "x"}}
        reply = await reply_to(fake, url, lambda hook: click_body(forged, hook))
        assert reply["blocks"][0]["text"]["text"].startswith("⚠️ Cannot open that") and "<!" not in str(reply)
        old = dict(forged, value="bb1:claim:cmt-peskov-cannot-dance-alone:0:00000000")
        reply = await reply_to(fake, url, lambda hook: click_body(old, hook))
        assert "changed since that message was made" in str(reply["blocks"])
        gone = dict(forged, value="bb1:claim:no-such-claim:0:00000000")
        reply = await reply_to(fake, url, lambda hook: click_body(gone, hook))
        assert "in the store now" in str(reply["blocks"])
    finally:
        await adapter.close()


async def test_clicks_are_answered_by_a_freshly_restarted_process(fake: FakeSlackAPI, tmp_path: Path) -> None:
    """The summary comes from one process; every click on it is answered by another, started afterwards."""
    config = write_config(tmp_path / "config", channels=1, schedule='{time: "08:00"}', timezone="UTC",
                          platform="slack", topics="[china]")
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
                  HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"), CONFIG_DIR=str(config), BRIEFS_DIR=str(BRIEFS))
    first = await BotProcess.start({**env, "PORT": str(free_port())}, "--no-digests")
    try:
        await first.wait_ready()
        summary = await reply_to(fake, first.url + "/slack/events", summary_body())
    finally:
        first.signal()
        await first.wait_exit()
    second = await BotProcess.start({**env, "PORT": str(free_port())}, "--no-digests")
    try:
        await second.wait_ready()
        found = [(e, n) for e, n in clicks(summary["blocks"]) if e["action_id"] != PICK_ACTION or n < 3]
        for element, option in found:
            reply = await reply_to(fake, second.url + "/slack/events",
                                   lambda hook: click_body(element, hook, option=option))
            assert_fits(reply)
            assert not reply["blocks"][0]["text"]["text"].startswith("⚠️")
    finally:
        second.signal()
        await second.wait_exit()


async def test_a_digest_post_is_one_message_whose_topic_buttons_open_summaries(fake: FakeSlackAPI) -> None:
    from bot.core.digest import compose_digest, digest

    adapter = await start(fake)
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        result, _ = digest(adapter.briefer.store, "all", None)
        receipt = await adapter.post("C0DIGEST", compose_digest(result, "Digest morning"), key="morning|C0DIGEST|p1")
        assert len(receipt.message_ids) == 1 and fake.refused == []
        posted = fake.messages["C0DIGEST"][0]["blocks"]
        buttons = [e for e in elements(posted) if e["type"] == "button"]
        assert len(buttons) == len(adapter.briefer.store.topics)
        china = next(e for e in buttons if e["text"]["text"] == "China")
        reply = await reply_to(fake, url, lambda hook: click_body(china, hook, ephemeral=False))
        assert (reply["response_type"], reply["replace_original"]) == ("ephemeral", False)
        assert reply["blocks"][0]["text"]["text"] == "Brief: China"
    finally:
        await adapter.close()


async def test_a_long_digest_button_opens_every_change_page_by_page(fake: FakeSlackAPI, tmp_path: Path) -> None:
    from bot.core.digest import compose_digest, digest

    old = load_store(BRIEFS)
    newer, log = big_edit(old, tmp_path)
    adapter = SlackAdapter(Briefer(newer, changelog=log), bot_token=BOT_TOKEN, mode="http",
                           signing_secret=SIGNING_SECRET, api_url=fake.api_url, host="127.0.0.1", port=0)
    await adapter.start()
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    try:
        _, sent = digest(old, "all", None)
        result, _ = digest(newer, "all", sent, log.entries())
        china = next(t for t in result.topics if t.topic.id == "china")
        receipt = await adapter.post("C0DIGEST", compose_digest(result, "Digest morning"), key="morning|C0DIGEST|p2")
        assert len(receipt.message_ids) == 1
        buttons = [e for e in elements(fake.messages["C0DIGEST"][0]["blocks"]) if e["type"] == "button"]
        more = next(e for e in buttons if e["text"]["text"].startswith("All ") and e["text"]["text"].endswith("China"))
        reply = await reply_to(fake, url, lambda hook: click_body(more, hook, ephemeral=False))
        seen: list[str] = []
        while True:
            assert_fits(reply)
            text = str(reply["blocks"])
            assert "China: what changed since your last digest" in text
            seen += [c.id for c in china.changes if f"claim {c.id}" in text or f"position {c.id}" in text]
            nxt = [e for e in elements(reply["blocks"]) if e["type"] == "button" and e["text"]["text"].endswith("▶")]
            if not nxt:
                break
            reply = await reply_to(fake, url, lambda hook: click_body(nxt[0], hook, ephemeral=True))
        assert sorted(seen) == sorted(c.id for c in china.changes)
    finally:
        await adapter.close()
