"""The Discord adapter driven end to end: real discord.py, a fake Discord REST API and gateway on loopback."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import discord.gateway
import discord.http
import pytest

from bot.adapters.base import Adapter, PostError
from bot.adapters.discord.adapter import (
    TOO_MANY_PAGES,
    DiscordAdapter,
    DiscordSetupError,
    delivery_ref,
    discord_adapter_from_env,
    page_nonce,
)
from bot.adapters.discord.embeds import embed_problems
from bot.core.briefer import Briefer, help_document
from bot.core.document import Document, Section, Text, message, plain
from bot.core.errors import DeliveryError
from tests.polling import wait_for
from tests.fakes.discord_api import (
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscordAPI,
    embed_errors,
    interaction,
    option,
)

TOKEN = "fake-bot-token.DO-NOT-LOG"
CALLBACK = r"/interactions/\d+/[^/]+/callback"
FOLLOWUP = rf"/webhooks/{APP_ID}/[^/]+"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordAPI]:
    api = await FakeDiscordAPI().start()
    yield api
    await api.stop()


def make_adapter(briefer: Briefer, fake: FakeDiscordAPI, **kwargs: Any) -> DiscordAdapter:
    return DiscordAdapter(briefer, TOKEN, guild_id=int(GUILD_ID), api_url=fake.api_url,
                          gateway_url=fake.gateway_url, guild_ready_timeout=0.05, **kwargs)


@pytest.fixture
async def adapter(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> AsyncIterator[DiscordAdapter]:
    bot = make_adapter(fixture_briefer, fake)
    await bot.start()
    yield bot
    await bot.close()


async def run_command(fake: FakeDiscordAPI, payload: dict[str, Any], followups: int = 0) -> dict[str, Any]:
    """Send an interaction through the gateway; wait for its callback (and followups); return it."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    seen = lambda: fake.interactions[payload["id"]]  # noqa: E731
    await wait_for(lambda: seen().callbacks and len(seen().followups) >= followups)
    return {"callback": seen().callbacks[0], "followups": seen().followups}


def brief_command(topic: str | None = None, public: bool | None = None) -> dict[str, Any]:
    options = [option("topic", topic)] if topic is not None else []
    options += [option("public", public)] if public is not None else []
    return interaction(2, "brief", options)


def sent_embeds(answer: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Every message's embeds, in order: the callback's (unless deferred), then each followup's."""
    first = answer["callback"].get("data", {}).get("embeds")
    pages = [first] if first else []
    return pages + [f["embeds"] for f in answer["followups"] if f.get("embeds")]


# --- startup --------------------------------------------------------------------------------------

async def test_start_logs_in_identifies_syncs_to_the_guild_and_is_an_adapter(adapter: DiscordAdapter,
                                                                            fake: FakeDiscordAPI) -> None:
    assert isinstance(adapter, Adapter) and adapter.name == "discord"
    assert adapter.client.is_ready()
    assert fake.identify is not None and fake.identify["token"] == TOKEN
    login = fake.matching("GET", "/users/@me")[0]
    assert login.headers["Authorization"] == f"Bot {TOKEN}"
    synced = {c["name"]: c for c in fake.commands[GUILD_ID]}
    assert set(synced) == {"brief", "brief-help", "brief-admin"}
    topic, public = synced["brief"]["options"]
    assert (topic["name"], topic["type"], topic["autocomplete"], topic["required"]) == ("topic", 3, True, False)
    assert (public["name"], public["type"]) == ("public", 5)
    assert adapter.client.get_guild(int(GUILD_ID)) is not None  # GUILD_CREATE reached the cache


async def test_close_restores_discord_py_endpoints(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    before = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    bot = make_adapter(fixture_briefer, fake)
    await bot.start()
    assert discord.http.Route.BASE == fake.api_url
    await bot.close()
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == before
    assert bot.client.is_closed()


async def test_global_sync_without_a_guild(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    bot = DiscordAdapter(fixture_briefer, TOKEN, api_url=fake.api_url, gateway_url=fake.gateway_url,
                         guild_ready_timeout=0.05)
    await bot.start()
    await bot.close()
    assert [c["name"] for c in fake.commands["global"]] == ["brief", "brief-help", "brief-admin"]
    assert GUILD_ID not in fake.commands


async def test_shard_settings_reach_identify(fixture_briefer: Briefer, fake: FakeDiscordAPI) -> None:
    bot = make_adapter(fixture_briefer, fake, shard_id=1, shard_count=2)
    await bot.start()
    await bot.close()
    assert fake.identify is not None and fake.identify["shard"] == [1, 2]


async def test_rejected_token_is_a_clear_error_without_the_token(fixture_briefer: Briefer,
                                                                fake: FakeDiscordAPI) -> None:
    fake.fail("GET", "/users/@me", 401)
    bot = make_adapter(fixture_briefer, fake)
    with pytest.raises(DiscordSetupError, match="refused DISCORD_TOKEN") as caught:
        await bot.start()
    assert TOKEN not in str(caught.value)
    assert bot.client.is_closed()


async def test_losing_the_gateway_for_good_is_logged_loudly(adapter: DiscordAdapter, fake: FakeDiscordAPI,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    assert adapter.connected
    await fake.disconnect(4004)  # Discord: authentication failed; discord.py does not reconnect
    await wait_for(lambda: any(r.levelno == logging.CRITICAL for r in caplog.records))
    assert "gateway connection ended" in caplog.text
    assert not adapter.connected  # /readyz reports it


# --- /brief ----------------------------------------------------------------------------------------

async def test_brief_answers_with_ephemeral_embeds_and_no_mentions(adapter: DiscordAdapter,
                                                                   fake: FakeDiscordAPI) -> None:
    answer = await run_command(fake, brief_command("chine"))
    callback = answer["callback"]
    assert callback["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE: answered inside the window, no defer
    data = callback["data"]
    assert data["flags"] & 64  # ephemeral by default
    assert data["allowed_mentions"] == {"parse": []}
    assert data["embeds"][0]["title"] == "Brief: China"
    titles = [e.get("title") for e in data["embeds"]]
    assert any(t and t.startswith("Most serious flags") for t in titles) and any(t and t.startswith("Sources") for t in titles)
    assert embed_errors(data["embeds"]) == []
    buttons = [c for row in data["components"] for c in row["components"] if c["type"] == 2]
    assert [b["label"] for b in buttons][:2] == ["Theses", "Flagged (2)"] and all(b["custom_id"].startswith("bb1:") for b in buttons)


async def test_public_option_posts_for_everyone(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    answer = await run_command(fake, brief_command("russia", public=True))
    assert not answer["callback"]["data"].get("flags", 0) & 64
    assert answer["callback"]["data"]["embeds"][0]["title"] == "Brief: Russia"


async def test_unknown_topic_gets_suggestions_ephemerally_even_when_public(adapter: DiscordAdapter,
                                                                           fake: FakeDiscordAPI) -> None:
    answer = await run_command(fake, brief_command("chinaa", public=True))
    data = answer["callback"]["data"]
    assert data["flags"] & 64
    assert "Did you mean china?" in data["embeds"][0]["description"]
    assert data["embeds"][0]["color"] == discord.Colour.red().value


async def test_everyone_as_topic_produces_no_mention(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    hostile = "@everyone <@123456789012345678> @here"
    answer = await run_command(fake, brief_command(hostile, public=True))
    data = answer["callback"]["data"]
    assert data["allowed_mentions"] == {"parse": []}
    text = json.dumps(data["embeds"], ensure_ascii=False)
    assert "everyone" in text  # the user sees what they typed …
    for live in ("@everyone", "@here", "<@123456789012345678>"):
        assert live not in text  # … but it renders inert
    assert not data.get("content")


async def test_help_command_and_empty_topic(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    answer = await run_command(fake, interaction(2, "brief-help", []))
    assert answer["callback"]["data"]["embeds"][0]["title"] == help_document().title
    assert answer["callback"]["data"]["flags"] & 64
    listing = await run_command(fake, brief_command())
    description = listing["callback"]["data"]["embeds"][1]["description"]
    assert "china" in description and "russia" in description


@pytest.mark.parametrize("typed", ["chi", "chin", "CHIN", "pék", "pek"])
async def test_autocomplete_offers_china(adapter: DiscordAdapter, fake: FakeDiscordAPI, typed: str) -> None:
    answer = await run_command(fake, interaction(4, "brief", [option("topic", typed, focused=True)]))
    callback = answer["callback"]
    assert callback["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    choices = callback["data"]["choices"]
    assert choices[0]["value"] == "china" and choices[0]["name"].startswith("China")
    assert "russia" not in [c["value"] for c in choices]


async def test_autocomplete_respects_discord_choice_limits(fake: FakeDiscordAPI) -> None:
    from tests.fakes.documents import many_topics_briefer

    bot = make_adapter(many_topics_briefer(40), fake)
    await bot.start()
    try:
        answer = await run_command(fake, interaction(4, "brief", [option("topic", "", focused=True)]))
    finally:
        await bot.close()
    choices = answer["callback"]["data"]["choices"]
    assert len(choices) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


async def test_slow_answer_is_deferred_then_followed_up(adapter: DiscordAdapter, fake: FakeDiscordAPI,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    adapter.defer_after = 0.05
    fake.ack_deadline = 0.5  # a shrunken 3-second window: an undeferred slow answer would get 10062
    answer_now = adapter.briefer.answer

    def slow_answer(text: str, platform: str = "console") -> tuple[Document, Any]:
        time.sleep(0.7)
        return answer_now(text)

    monkeypatch.setattr(adapter.briefer, "answer", slow_answer)
    answer = await run_command(fake, brief_command("china"), followups=1)
    assert answer["callback"]["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    assert answer["callback"]["data"]["flags"] & 64
    assert answer["followups"][0]["embeds"][0]["title"] == "Brief: China"


async def test_a_long_answer_paginates_in_followups(adapter: DiscordAdapter, fake: FakeDiscordAPI,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.documents import oversized_document

    monkeypatch.setattr(adapter.briefer, "answer", lambda text, platform="console": (oversized_document(), None))
    payload = brief_command("china")
    await fake.dispatch("INTERACTION_CREATE", payload)
    record = fake.interactions[payload["id"]]
    await wait_for(lambda: record.followups and record.followups[-1].get("content"), timeout=10)
    pages = sent_embeds({"callback": record.callbacks[0], "followups": record.followups})
    assert len(pages) == 10
    assert all(embed_problems([discord.Embed.from_dict(e) for e in page]) == [] for page in pages)
    assert all(embed_errors(page) == [] for page in pages)
    assert record.followups[-1]["content"].startswith(TOO_MANY_PAGES.split("{")[0])
    assert all(f["flags"] & 64 for f in record.followups)


async def test_a_failure_is_reported_with_a_reference_not_the_exception(
        adapter: DiscordAdapter, fake: FakeDiscordAPI, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, platform: str = "console") -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(adapter.briefer, "answer", broken)
    answer = await run_command(fake, brief_command("china"))
    content = answer["callback"]["data"]["content"]
    assert content.startswith("Something went wrong on our side (reference ")
    assert "secret internals" not in content and answer["callback"]["data"]["flags"] & 64
    assert "secret internals" in caplog.text  # the log keeps the traceback


async def test_each_command_is_logged_without_the_token(fixture_briefer: Briefer, fake: FakeDiscordAPI,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bot = make_adapter(fixture_briefer, fake)
    await bot.start()
    await run_command(fake, brief_command("china"))
    await run_command(fake, brief_command("nowhere"))
    await bot.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.adapters.discord.adapter"]
    assert any("command=brief topic='china' outcome=ok" in line and "latency_ms=" in line for line in lines)
    assert any("topic='nowhere' outcome=error" in line for line in lines)
    assert TOKEN not in caplog.text


# --- faults: the answer still arrives once ---------------------------------------------------------

async def test_rate_limited_callback_is_retried_and_answered_once(adapter: DiscordAdapter,
                                                                  fake: FakeDiscordAPI) -> None:
    fake.fail("POST", CALLBACK, 429)
    answer = await run_command(fake, brief_command("china"))
    assert answer["callback"]["data"]["embeds"][0]["title"] == "Brief: China"
    assert [r.status for r in fake.matching("POST", CALLBACK)] == [429, 200]


async def test_server_error_on_followup_is_retried_and_delivered_once(adapter: DiscordAdapter,
                                                                      fake: FakeDiscordAPI,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    adapter.defer_after = 0.0
    answer_now = adapter.briefer.answer

    def slow_answer(text: str, platform: str = "console") -> tuple[Document, Any]:
        time.sleep(0.05)
        return answer_now(text)

    monkeypatch.setattr(adapter.briefer, "answer", slow_answer)
    fake.fail("POST", FOLLOWUP, 502)
    answer = await run_command(fake, brief_command("china"), followups=1)
    assert answer["callback"]["type"] == 5
    assert len(answer["followups"]) == 1
    assert [r.status for r in fake.matching("POST", FOLLOWUP)] == [502, 200]


# --- posting to a channel --------------------------------------------------------------------------

def digest(sections: int = 1) -> Document:
    text = "Three new claims on China. @everyone should read them. " * 60
    return Document(title="Daily digest", summary=[plain("What changed.")],
                    sections=[Section(title=f"Part {n}", blocks=[Text(line=[plain(text)])] * 3)
                              for n in range(sections)],
                    footer="Store v1.")


async def test_post_sends_each_page_with_its_nonce_and_no_mentions(adapter: DiscordAdapter,
                                                                   fake: FakeDiscordAPI) -> None:
    receipt = await adapter.post(CHANNEL_ID, digest(sections=4), key="digest|discord:general|2025-03-09")
    posts = fake.accepted("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(posts) == len(receipt.message_ids) > 1
    key = "digest|discord:general|2025-03-09"
    for n, post in enumerate(posts):
        assert post.body["nonce"] == page_nonce(key, n) and len(post.body["nonce"]) <= 25
        assert post.body["enforce_nonce"] is True
        assert post.body["allowed_mentions"] == {"parse": []}
        assert embed_errors(post.body["embeds"]) == []
    assert receipt.platform == "discord" and receipt.channel == CHANNEL_ID


async def test_posting_again_with_the_same_key_creates_nothing_new(adapter: DiscordAdapter,
                                                                   fake: FakeDiscordAPI) -> None:
    first = await adapter.post(CHANNEL_ID, digest(sections=3), key="k1")
    again = await adapter.post(CHANNEL_ID, digest(sections=3), key="k1")
    assert again.message_ids == first.message_ids
    assert len(fake.messages[CHANNEL_ID]) == len(first.message_ids)


async def test_find_post_finds_a_complete_post_by_its_footer_marker(adapter: DiscordAdapter,
                                                                    fake: FakeDiscordAPI) -> None:
    assert await adapter.find_post(CHANNEL_ID, "k2") is None
    receipt = await adapter.post(CHANNEL_ID, digest(sections=3), key="k2")
    await adapter.post(CHANNEL_ID, digest(), key="another")
    for sent in fake.messages[CHANNEL_ID]:
        sent["nonce"] = None  # real history reads may not echo nonces; the footer marker suffices
    assert await adapter.find_post(CHANNEL_ID, "k2") == receipt
    assert f"ref {delivery_ref('k2')}" in fake.messages[CHANNEL_ID][0]["embeds"][-1]["footer"]["text"]


async def test_find_post_reports_the_pages_of_a_partial_post(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    whole = await adapter.post(CHANNEL_ID, digest(sections=3), key="k3")
    del fake.messages[CHANNEL_ID][-1]  # a crash after the first pages
    partial = await adapter.find_post(CHANNEL_ID, "k3")
    assert partial is not None and not partial.complete
    assert partial.message_ids == whole.message_ids[:-1] and partial.pages == whole.pages == len(whole.message_ids)


async def test_a_429_or_a_500_on_a_post_is_never_re_sent_by_discord_py(adapter: DiscordAdapter,
                                                                       fake: FakeDiscordAPI) -> None:
    messages = f"/channels/{CHANNEL_ID}/messages"
    fake.fail("POST", messages, 429, retry_after=2.5)  # delivery waits it out, not discord.py
    with pytest.raises(PostError) as limited:
        await adapter.post(CHANNEL_ID, message("Digest", "short"), key="k4")
    assert (limited.value.status, limited.value.retry_after, limited.value.landed) == (429, 2.5, False)
    receipt = await adapter.post(CHANNEL_ID, message("Digest", "short"), key="k4")
    assert [r.status for r in fake.matching("POST", messages)] == [429, 200]
    assert len(receipt.message_ids) == 1 and len(fake.messages[CHANNEL_ID]) == 1
    fake.fail("POST", messages, 500)  # discord.py would re-send this blindly; delivery must ask find_post first
    with pytest.raises(PostError) as err:
        await adapter.post(CHANNEL_ID, message("Digest", "short"), key="k4b")
    assert (err.value.status, err.value.landed, err.value.retryable) == (500, True, True)
    assert [r.status for r in fake.matching("POST", messages)] == [429, 200, 500]


async def test_post_failure_is_a_delivery_error(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    fake.fail("POST", f"/channels/{CHANNEL_ID}/messages", 403)
    with pytest.raises(DeliveryError, match="Discord refused page 1 of 1") as err:
        await adapter.post(CHANNEL_ID, message("Digest", "short"), key="k5")
    assert isinstance(err.value, PostError) and (err.value.status, err.value.retryable) == (403, False)
    with pytest.raises(DeliveryError, match="numeric id"):
        await adapter.post("general", message("Digest", "short"), key="k5")


# --- configuration ---------------------------------------------------------------------------------

def test_from_env_without_token_is_none(fixture_briefer: Briefer) -> None:
    assert discord_adapter_from_env(fixture_briefer, {}) is None
    assert discord_adapter_from_env(fixture_briefer, {"DISCORD_TOKEN": "  "}) is None


def test_from_env_reads_every_setting(fixture_briefer: Briefer) -> None:
    bot = discord_adapter_from_env(fixture_briefer, {
        "DISCORD_TOKEN": TOKEN, "DISCORD_GUILD_ID": GUILD_ID, "DISCORD_API_URL": "http://127.0.0.1:9/api/v10",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway", "DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "2"})
    assert bot is not None
    assert (bot.guild_id, bot.api_url, bot.gateway_url) == (int(GUILD_ID), "http://127.0.0.1:9/api/v10",
                                                            "ws://127.0.0.1:9/gateway")
    assert (bot.client.shard_id, bot.client.shard_count) == (0, 2)
    assert TOKEN not in repr(bot)
    default = discord_adapter_from_env(fixture_briefer, {"DISCORD_TOKEN": TOKEN})
    assert default is not None and default.guild_id is None and default.api_url == "https://discord.com/api/v10"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID must be a server id"),
    ("DISCORD_GUILD_ID", "12345", "DISCORD_GUILD_ID must be a server id"),
    ("DISCORD_API_URL", "discord.com/api", "DISCORD_API_URL must be a http:// or https:// URL"),
    ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg", "DISCORD_GATEWAY_URL must be a ws:// or wss:// URL"),
    ("DISCORD_SHARD_COUNT", "two", "DISCORD_SHARD_COUNT must be a whole number"),
])
def test_from_env_malformed_setting_is_a_clear_error(fixture_briefer: Briefer, name: str, value: str,
                                                     expected: str) -> None:
    with pytest.raises(DiscordSetupError, match=expected):
        discord_adapter_from_env(fixture_briefer, {"DISCORD_TOKEN": TOKEN, name: value})


async def test_find_post_reads_only_after_the_claim(adapter: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    from datetime import UTC, datetime, timedelta

    from discord.utils import snowflake_time

    receipt = await adapter.post(CHANNEL_ID, digest(sections=3), key="k6")
    since = datetime.now(UTC)
    assert await adapter.find_post(CHANNEL_ID, "k6", since=since - timedelta(seconds=5)) == receipt
    reads = [r for r in fake.matching("GET", f"/channels/{CHANNEL_ID}/messages") if "after" in r.query]
    assert reads and snowflake_time(int(reads[-1].query["after"])) <= since - timedelta(minutes=1)
    assert await adapter.find_post(CHANNEL_ID, "k6", since=since + timedelta(minutes=5)) is None  # all before
