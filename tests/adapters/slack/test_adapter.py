"""The Slack adapter end to end: the real bolt app over loopback against a fake Slack."""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.base import Adapter, PostError, Receipt
from bot.adapters.slack.adapter import (
    METADATA_EVENT,
    POST_PAGES,
    POST_PUBLIC_ACTION,
    RESPONSE_URL_USES,
    SlackAdapter,
    SlackConfigError,
    fit_pages,
    slack_adapter_from_env,
)
from bot.adapters.slack.actions import SHARE_ACTION
from bot.adapters.slack.blocks import CUT_NOTE, render_blocks
from bot.core.briefer import Briefer
from bot.core.views.routes import Route, decode
from bot.core.document import Document, Section, Text, plain
from bot.core.errors import DeliveryError
from bot.core.store import Store, build_store, load_store
from tests.fakes.faults import Fault
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackAPI, block_problems
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    button_click_body,
    signed_headers,
    slash_command_body,
)
from tests.conftest import BRIEFS

Served = tuple[FakeSlackAPI, SlackAdapter, str, aiohttp.ClientSession]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackAPI]:
    api = await FakeSlackAPI().start()
    yield api
    await api.stop()


async def serve(fake: FakeSlackAPI, briefer: Briefer) -> SlackAdapter:
    adapter = SlackAdapter(briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0)
    await adapter.start()
    return adapter


@pytest.fixture
async def served(fake: FakeSlackAPI, fixture_briefer: Briefer) -> AsyncIterator[Served]:
    adapter = await serve(fake, fixture_briefer)
    async with aiohttp.ClientSession() as http:
        yield fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http
    await adapter.close()


async def send(http: aiohttp.ClientSession, url: str, body: str, **sign: object) -> tuple[int, str]:
    async with http.post(url, data=body, headers=signed_headers(body, **sign)) as resp:  # type: ignore[arg-type]
        return resp.status, await resp.text()


async def command(served: Served, text: str, hook: str = "T1/1/abc") -> list[dict]:
    """Send `/brief text`, expect an empty 200 ack, return the reply bodies that reached the response_url."""
    fake, _, url, http = served
    before = len(fake.replies)
    status, body = await send(http, url, slash_command_body(text, fake.response_url(hook)))
    assert (status, body) == (200, "")
    await fake.wait_for(lambda: len(fake.replies) > before)
    await fake.wait_for(lambda: not served[1]._inflight)
    return [r.body for r in fake.replies[before:]]


def all_text(replies: list[dict]) -> str:
    """Every text a reply carries, blocks and fallback."""
    out = []
    for reply in replies:
        out.append(reply.get("text", ""))
        for block in reply["blocks"]:
            if "text" in block:
                out.append(block["text"]["text"])
            out += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def test_slack_adapter_is_an_adapter(fixture_briefer: Briefer) -> None:
    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET)
    assert isinstance(adapter, Adapter) and adapter.name == "slack"


async def test_signed_command_gets_the_brief_ephemerally(served: Served) -> None:
    replies = await command(served, "china")
    assert len(replies) == 1
    reply = replies[0]
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Brief: China", "emoji": True}}
    assert "*Theses (tallied by independent origin)*" in all_text(replies) and "Bottom line" in all_text(replies)
    button = reply["blocks"][-1]["elements"][0]
    assert button["action_id"] == SHARE_ACTION and decode(button["value"]) == Route("summary", "china", 0, decode(button["value"]).fp)
    assert block_problems(reply["blocks"]) == []
    assert served[0].refused == []


async def test_public_argument_posts_to_the_channel(served: Served) -> None:
    replies = await command(served, "chine public")
    assert [r["response_type"] for r in replies] == ["in_channel"]
    assert replies[0]["blocks"][0]["text"]["text"] == "Brief: China"
    ids = [e["action_id"] for b in replies[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert SHARE_ACTION not in ids and POST_PUBLIC_ACTION not in ids  # already in the channel: nothing to share


async def test_help_and_topic_list(served: Served) -> None:
    help_reply = await command(served, "help")
    assert help_reply[0]["blocks"][0]["text"]["text"] == "How to use /brief"
    assert "public" in all_text(help_reply)
    topics = await command(served, "")
    assert "`china`" in all_text(topics) and "`russia`" in all_text(topics)


async def test_post_button_reposts_the_brief_in_channel(served: Served) -> None:
    fake, _, url, http = served
    status, _ = await send(http, url, button_click_body(POST_PUBLIC_ACTION, "china", fake.response_url("T1/2/btn")))
    assert status == 200
    await fake.wait_for(lambda: len(fake.replies) == 1)
    body = fake.replies[0].body
    assert (body["response_type"], body["replace_original"]) == ("in_channel", False)
    assert body["blocks"][0]["text"]["text"] == "Brief: China"


@pytest.mark.parametrize("forge", ["wrong secret", "no signature", "stale timestamp", "tampered body"])
async def test_unsigned_or_stale_requests_get_401(served: Served, forge: str) -> None:
    fake, _, url, http = served
    body = slash_command_body("china", fake.response_url("T1/9/forged"))
    headers = signed_headers(body)
    if forge == "wrong secret":
        headers = signed_headers(body, secret="not-the-secret")
    elif forge == "no signature":
        del headers["X-Slack-Signature"], headers["X-Slack-Request-Timestamp"]
    elif forge == "stale timestamp":
        headers = signed_headers(body, timestamp=int(time.time()) - 5 * 60 - 1)
    else:
        body = body.replace("china", "russia")
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 401
    await command(served, "russia", hook="T1/1/after")  # a good request after it: the forged one left nothing
    assert [r.hook for r in fake.replies] == ["T1-1-after"]


async def test_unknown_topic_gets_suggestions(served: Served) -> None:
    replies = await command(served, "chnia")
    assert replies[0]["blocks"][0]["text"]["text"].startswith("⚠️ Cannot brief that")
    assert "Did you mean" in all_text(replies) and "china" in all_text(replies)
    assert replies[0]["response_type"] == "ephemeral"


async def test_hostile_argument_cannot_mention_or_link(served: Served) -> None:
    replies = await command(served, "<!channel> & <@U0ADMIN> <https://x.io|y>")
    text = all_text(replies)
    assert "<!" not in text and "<@" not in text and "<http" not in text
    replies = await command(served, "<!channel> & <@U0ADMIN> qqzx", hook="T1/1/none")  # matches nothing: echoed, escaped
    text = all_text(replies)
    assert "<!" not in text and "<@" not in text
    assert "&lt;!channel&gt;" in text and "&amp; &lt;@U0ADMIN&gt;" in text


async def test_oversized_argument_gets_a_clear_answer(served: Served) -> None:
    replies = await command(served, "x" * 5000)
    assert "5000 characters long; the limit is 200" in all_text(replies)
    assert block_problems(replies[0]["blocks"]) == []


async def test_each_command_is_logged_without_secrets(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.adapters.slack.adapter"):
        await command(served, "chnia")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.adapters.slack.adapter"]
    assert any("platform=slack" in l and "topic='chnia'" in l and "outcome=refused" in l and "latency_ms=" in l
               for l in lines), lines
    assert not any(BOT_TOKEN in l or SIGNING_SECRET in l for l in lines)


@pytest.mark.parametrize("status", [429, 503, 502])
async def test_reply_is_retried_and_arrives_once(served: Served, status: int) -> None:
    fake = served[0]
    fake.fail("response_url", status, retry_after=0 if status == 429 else None)
    replies = await command(served, "china")
    assert len(replies) == 1 and fake.attempts["response_url"] == 2
    assert replies[0]["blocks"][0]["text"]["text"] == "Brief: China"


@pytest.fixture
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits slack_sdk's retry handlers ask for (backoff, Retry-After), recorded and not slept."""
    import asyncio
    import types

    from slack_sdk.http_retry import async_handler, builtin_async_handlers

    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        await real_sleep(0)

    stub = types.SimpleNamespace(sleep=sleep)
    monkeypatch.setattr(async_handler, "asyncio", stub)
    monkeypatch.setattr(builtin_async_handlers, "asyncio", stub)
    return asked


async def test_reply_waits_the_retry_after_slack_asks_for(served: Served, retry_sleeps: list[float]) -> None:
    fake = served[0]
    fake.fail("response_url", 429, retry_after=7)
    replies = await command(served, "china")
    assert len(replies) == 1 and fake.attempts["response_url"] == 2
    assert len(retry_sleeps) == 1 and 7 <= retry_sleeps[0] < 8  # Retry-After plus slack_sdk's jitter


async def test_reply_gives_up_on_5xx_after_the_shared_retry_policy(served: Served, retry_sleeps: list[float],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    fake = served[0]
    fake.fail("response_url", 503, times=3)
    with caplog.at_level(logging.INFO, logger="bot.adapters.slack.adapter"):
        status, _ = await send(served[3], served[2], slash_command_body("china", fake.response_url("T1/5/down")))
        assert status == 200
        await fake.wait_for(lambda: fake.attempts["response_url"] == 3)
        await fake.wait_for(lambda: not served[1]._inflight)
    assert fake.replies == [] and fake.attempts["response_url"] == 3  # the first try and retry_handlers()'s two
    # Backing off: each wait is at least the policy's base of 0.25 s doubled per retry (plus random jitter).
    assert len(retry_sleeps) == 2 and retry_sleeps[0] >= 0.25 and retry_sleeps[1] >= 0.5
    lines = [r.getMessage() for r in caplog.records]
    assert any("reply platform=slack refused: HTTP 503" in line for line in lines), lines
    assert any("delivered=False" in line for line in lines), lines
    assert not any("/hooks/" in line for line in lines)  # a response_url is a credential: never logged


async def test_reply_on_a_dropped_connection_is_retried(served: Served, retry_sleeps: list[float]) -> None:
    fake = served[0]
    fake.faults.add(Fault("POST", r"^/hooks/", kind="reset"))
    replies = await command(served, "russia")
    assert len(fake.faults.fired) == 1 and len(replies) == 1 and len(retry_sleeps) == 1
    assert replies[0]["blocks"][0]["text"]["text"] == "Brief: Russia"


async def test_reply_that_stalls_times_out_and_is_not_sent_again(served: Served,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    fake, adapter = served[0], served[1]
    adapter.replies.timeout = 0.2
    fake.faults.add(Fault("POST", r"^/hooks/", kind="stall", stall=1.0))
    with caplog.at_level(logging.INFO, logger="bot.adapters.slack.adapter"):
        status, _ = await send(served[3], served[2], slash_command_body("china", fake.response_url("T1/6/slow")))
        assert status == 200
        await fake.wait_for(lambda: bool(fake.faults.fired))
        await fake.wait_for(lambda: not adapter._inflight)
    # Slack may have taken a reply whose answer never came: trying again could show it twice.
    assert fake.replies == [] and len(fake.faults.fired) == 1
    assert any("reply platform=slack failed: TimeoutError" in r.getMessage() for r in caplog.records)


async def test_replies_share_one_kept_alive_connection(served: Served) -> None:
    fake = served[0]
    for n, topic in enumerate(["china", "russia", "help"]):
        await command(served, topic, hook=f"T1/{n}/keep")
    assert len(fake.reply_peers) == 3 and len(set(fake.reply_peers)) == 1, fake.reply_peers


def _fixture_topics() -> list[str]:
    from tests.conftest import FIXTURE_BRIEFS
    return sorted(load_store(FIXTURE_BRIEFS).topics)


@pytest.mark.parametrize("topic", _fixture_topics())
async def test_every_fixture_topic_fits_slack_limits(served: Served, topic: str) -> None:
    replies = await command(served, topic)
    assert all(block_problems(r["blocks"]) == [] for r in replies)


async def test_every_topic_in_briefs_fits_slack_limits(fake: FakeSlackAPI) -> None:
    if not (BRIEFS / "topics").is_dir() or not any((BRIEFS / "topics").glob("*.yaml")):
        pytest.skip("briefs/ has no topics in this checkout (the curated store is merged separately)")
    store = load_store(BRIEFS)
    adapter = await serve(fake, Briefer(store))
    async with aiohttp.ClientSession() as http:
        served = (fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http)
        for n, topic in enumerate(sorted(store.topics)):
            replies = await command(served, topic, hook=f"T1/{n}/all")
            assert all(block_problems(r["blocks"]) == [] for r in replies), topic
            assert len(replies) <= RESPONSE_URL_USES
    await adapter.close()
    assert fake.refused == []


def oversized_store(base: Store) -> Store:
    """The fixture store with 40 extra sources of 5 long, hostile claims each on china."""
    template = base.sources["oped"]
    sources = list(base.sources.values())
    for i in range(40):
        claims = [
            template.claims[0].model_copy(update={
                "id": f"big-{i}-{j}",
                "statement": (f"<!channel> claim {i}.{j} & *more* " + "long words " * 170).strip(),
                "quote": "q " * 190,
            })
            for j in range(5)
        ]
        sources.append(template.model_copy(update={"id": f"big-{i}", "title": f"Big source {i} " + "t" * 250,
                                                    "claims": tuple(claims)}))
    return build_store(list(base.topics.values()), sources, "oversized")


async def test_oversized_brief_is_split_and_cut_to_what_a_reply_can_carry(fake: FakeSlackAPI, fixture_store: Store) -> None:
    adapter = await serve(fake, Briefer(oversized_store(fixture_store)))
    async with aiohttp.ClientSession() as http:
        served = (fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http)
        await command(served, "china full")
        await fake.wait_for(lambda: not adapter._inflight)
    await adapter.close()
    replies = [r.body for r in fake.replies]
    assert len(replies) == RESPONSE_URL_USES and fake.refused == []
    assert replies[0]["blocks"][0]["text"]["text"].startswith("Brief: China (1/")
    assert all(block_problems(r["blocks"]) == [] for r in replies)
    assert CUT_NOTE.split(";")[0] in replies[-1]["blocks"][-1]["elements"][0]["text"]
    assert "<!channel>" not in all_text(replies) and "&lt;!channel&gt;" in all_text(replies)


async def test_post_carries_the_key_and_find_post_finds_it(served: Served, fixture_briefer: Briefer) -> None:
    fake, adapter = served[0], served[1]
    doc, _ = fixture_briefer.answer("china")
    receipt = await adapter.post("C0DIGEST", doc, key="daily|slack:C0DIGEST|2025-03-09")
    sent = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert len(sent) == 1 and len(receipt.message_ids) == 1
    assert sent[0].params["metadata"] == {"event_type": METADATA_EVENT,
                                          "event_payload": {"key": "daily|slack:C0DIGEST|2025-03-09", "page": 1, "pages": 1}}
    assert sent[0].params["blocks"][0]["text"]["text"] == "Brief: China" and sent[0].params["text"]
    found = await adapter.find_post("C0DIGEST", "daily|slack:C0DIGEST|2025-03-09")
    assert found == receipt
    assert await adapter.find_post("C0DIGEST", "daily|slack:C0DIGEST|2025-03-10") is None
    history = [c for c in fake.calls if c.method == "conversations.history"]
    assert history[0].params["include_all_metadata"] in ("1", "true", True)


async def test_multi_page_post_is_found_only_when_complete(fake: FakeSlackAPI, fixture_store: Store) -> None:
    adapter = await serve(fake, Briefer(fixture_store))
    doc, _ = Briefer(oversized_store(fixture_store)).answer("china full")
    receipt = await adapter.post("C0BIG", doc, key="k1")
    assert len(receipt.message_ids) == POST_PAGES and fake.refused == []
    last = fake.messages["C0BIG"][-1]["blocks"][-1]
    assert CUT_NOTE.split(";")[0] in last["elements"][0]["text"]
    assert await adapter.find_post("C0BIG", "k1") == receipt
    fake.messages["C0BIG"].pop()  # the last page never landed
    partial = await adapter.find_post("C0BIG", "k1")
    assert partial is not None and not partial.complete
    assert partial.message_ids == receipt.message_ids[:-1] and partial.pages == POST_PAGES
    await adapter.close()


@pytest.mark.parametrize("status", [429, 500, 504])
async def test_a_failed_post_is_a_post_error_and_never_re_sent_by_the_sdk(served: Served, status: int) -> None:
    fake, adapter = served[0], served[1]
    fake.fail("chat.postMessage", status, retry_after=7 if status == 429 else None)
    doc = Document(title="Digest", sections=[Section(title="Today", blocks=[Text(line=[plain("one line")])])])
    with pytest.raises(PostError) as err:
        await adapter.post("C0DIGEST", doc, key="k-retry")
    assert fake.attempts["chat.postMessage"] == 1  # the retry is delivery's, after find_post
    assert (err.value.status, err.value.retryable, err.value.landed) == (status, True, status >= 500)
    assert err.value.retry_after == (7.0 if status == 429 else None)
    receipt = await adapter.post("C0DIGEST", doc, key="k-retry")
    assert len(fake.messages["C0DIGEST"]) == 1 and receipt.message_ids == [fake.messages["C0DIGEST"][0]["ts"]]


async def test_post_refused_is_a_delivery_error(served: Served) -> None:
    fake, adapter = served[0], served[1]
    fake.fail("chat.postMessage", 500)
    with pytest.raises(DeliveryError, match=r"refused the post to C0X \(page 1 of 1\): internal_error \(HTTP 500\)"):
        await adapter.post("C0X", Document(title="Digest"), key="k")
    assert fake.messages["C0X"] == []


async def test_bad_bot_token_fails_start_clearly(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    adapter = SlackAdapter(fixture_briefer, bot_token="xoxb-revoked", mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0)
    with pytest.raises(DeliveryError, match="invalid_auth") as err:
        await adapter.start()
    assert "xoxb-revoked" not in str(err.value)


async def test_extra_routes_share_the_http_server(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0)
    adapter.routes.add_get("/healthz", health)
    await adapter.start()
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{adapter.port}/healthz") as resp:
        assert (resp.status, await resp.text()) == (200, "ok")
    await adapter.close()


async def test_socket_mode_command_acks_over_the_socket(fake: FakeSlackAPI, fixture_briefer: Briefer) -> None:
    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket",
                           api_url=fake.api_url)
    await adapter.start()
    payload = dict(part.split("=", 1) for part in slash_command_body("china", "x").split("&"))
    payload.update(text="russia", command="/brief", response_url=fake.response_url("T1/7/socket"))
    fake.send_envelope({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                        "payload": payload})
    await fake.wait_for(lambda: fake.acks and fake.replies)
    await adapter.close()
    assert fake.acks[0]["envelope_id"] == "env-1"
    assert fake.replies[0].body["blocks"][0]["text"]["text"] == "Brief: Russia"
    assert "apps.connections.open" in fake.methods()


ENV = {"SLACK_BOT_TOKEN": "xoxb-1-secret"}


@pytest.mark.parametrize(("env", "mode"), [
    ({**ENV, "SLACK_APP_TOKEN": "xapp-1-secret"}, "socket"),
    ({**ENV, "SLACK_SIGNING_SECRET": "s3cret", "PORT": "8099"}, "http"),
    ({**ENV, "SLACK_APP_TOKEN": "xapp-1-secret", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_MODE": "http"}, "http"),
])
def test_adapter_from_env_picks_the_mode(fixture_briefer: Briefer, env: dict[str, str], mode: str) -> None:
    adapter = slack_adapter_from_env(fixture_briefer, {**env, "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert adapter is not None and adapter.mode == mode
    assert adapter.client.base_url == "http://127.0.0.1:9/api/"
    if mode == "http":
        assert adapter.port == int(env.get("PORT", 3000))


def test_adapter_from_env_without_slack_variables_is_none(fixture_briefer: Briefer) -> None:
    assert slack_adapter_from_env(fixture_briefer, {"PORT": "80"}) is None


@pytest.mark.parametrize(("env", "says"), [
    ({"SLACK_APP_TOKEN": "xapp-1-secret"}, "SLACK_BOT_TOKEN is not"),
    ({"SLACK_SIGNING_SECRET": "s3cret"}, "SLACK_BOT_TOKEN is not"),
    (ENV, "neither SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xapp-1-secret", "SLACK_APP_TOKEN": "xoxb-1-secret"}, "must start with xoxb-"),
    ({**ENV, "SLACK_MODE": "socket", "SLACK_SIGNING_SECRET": "s3cret"}, "needs SLACK_APP_TOKEN"),
    ({**ENV, "SLACK_MODE": "http", "SLACK_APP_TOKEN": "xapp-1-secret"}, "needs SLACK_SIGNING_SECRET"),
    ({**ENV, "SLACK_SIGNING_SECRET": "s3cret", "PORT": "http"}, "PORT must be a number"),
])
def test_half_set_environment_is_a_clear_error(fixture_briefer: Briefer, env: dict[str, str], says: str) -> None:
    with pytest.raises(SlackConfigError, match=says) as err:
        slack_adapter_from_env(fixture_briefer, env)
    assert "secret" not in str(err.value).replace("SIGNING_SECRET", "")


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest-http.yaml"])
def test_manifest_declares_the_command_scopes_and_endpoint(name: str) -> None:
    import yaml

    from bot.adapters.slack.adapter import EVENTS_PATH
    from tests.conftest import ROOT

    manifest = yaml.safe_load((ROOT / "slack" / name).read_text())
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/brief" and command["should_escape"] is False
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "channels:history"} <= scopes
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    if settings["socket_mode_enabled"]:
        assert "url" not in command
    else:
        assert command["url"].endswith(EVENTS_PATH) and settings["interactivity"]["request_url"] == command["url"]


async def test_find_post_reads_only_since_the_claim_and_as_many_as_the_pages(fake: FakeSlackAPI,
                                                                             fixture_store: Store) -> None:
    from datetime import UTC, datetime, timedelta

    adapter = await serve(fake, Briefer(fixture_store))
    doc = long_digest()
    pages = len(fit_pages(render_blocks(doc), POST_PAGES))
    assert pages > 1
    old = await adapter.post("C0HIST", doc, key="old")  # an earlier digest, before the claim
    claimed = datetime.now(UTC) + timedelta(minutes=1, seconds=1)  # past the one-minute clock-skew margin
    for m in fake.messages["C0HIST"]:
        m["ts"] = f"{float(m['ts']) - 120:.6f}"  # the earlier digest was two minutes before
    await adapter.post("C0HIST", doc, key="new")
    for m in fake.messages["C0HIST"][len(old.message_ids):]:
        m["ts"] = f"{float(m['ts']) + 90:.6f}"  # this one after the claim
    new_ids = [m["ts"] for m in fake.messages["C0HIST"][len(old.message_ids):]]
    receipt = Receipt("slack", "C0HIST", new_ids, pages=pages)
    before = len(fake.calls)
    assert await adapter.find_post("C0HIST", "new", since=claimed, pages=pages) == receipt
    assert await adapter.find_post("C0HIST", "old", since=claimed, pages=pages) is None
    history = [c.params for c in fake.calls[before:] if c.method == "conversations.history"]
    assert len(history) == 2 and all(int(h["limit"]) == pages for h in history)
    assert float(history[0]["oldest"]) == pytest.approx((claimed - timedelta(minutes=1)).timestamp())
    # People wrote a lot after the digest: the cursor is followed, within a bound.
    fake.messages["C0HIST"] += [{"type": "message", "ts": f"{time.time() + 200 + n:.6f}", "text": "chat"}
                                for n in range(150)]
    assert await adapter.find_post("C0HIST", "new", since=claimed, pages=pages) == receipt
    await adapter.close()


def long_digest() -> Document:
    """A digest that takes several Slack messages."""
    from bot.core.document import Item, bold

    items = [Item(badge="🤔", head=[bold(f"Claim {n}")], note=[plain(f"claim c{n}")],
                  body=[[plain("A statement about the subject, of the length claims have. " * 5)]]) for n in range(60)]
    return Document(title="Digest daily", sections=[Section(title="Claims", blocks=items)])
