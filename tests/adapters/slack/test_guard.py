"""Hostile requests to Slack's HTTP endpoint, end to end through aiohttp, the guard and bolt."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.adapters.slack.adapter import SlackAdapter
from bot.core.briefer import Briefer
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET, sign, signed_headers, slash_command_body

Served = tuple[FakeSlackAPI, SlackAdapter, str, aiohttp.ClientSession]


@pytest.fixture
async def served(fixture_briefer: Briefer) -> AsyncIterator[Served]:
    fake = await FakeSlackAPI().start()
    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0)
    await adapter.start()
    async with aiohttp.ClientSession() as http:
        yield fake, adapter, f"http://127.0.0.1:{adapter.port}/slack/events", http
    await adapter.close()
    await fake.stop()


def signed_raw(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    ts = int(time.time())
    import hashlib
    import hmac
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": "v0=" + mac}


MALFORMED: dict[str, tuple[bytes, str]] = {
    "invalid UTF-8": (b"text=\xff\xfe&command=/brief", "application/x-www-form-urlencoded"),
    "payload={": (b"payload=%7B", "application/x-www-form-urlencoded"),
    "payload=[1]": (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    "JSON type, form body": (b"command=/brief&text=china", "application/json"),
    "JSON array": (b"[1, 2]", "application/json"),
    "odd content type": (b"command=/brief", "text/plain"),
    "not a form": (b"&&==&&", "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_a_signed_malformed_request_gets_400_and_no_traceback(served: Served, case: str, caplog) -> None:
    _, _, url, http = served
    body, content_type = MALFORMED[case]
    caplog.set_level(logging.DEBUG)
    async with http.post(url, data=body, headers=signed_raw(body, content_type)) as resp:
        assert resp.status == 400
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize("case", ["non-numeric timestamp", "non-ASCII signature", "short signature"])
async def test_malformed_signature_headers_are_refused_before_bolt(served: Served, case: str, caplog) -> None:
    _, _, url, http = served
    body = slash_command_body("china", "http://127.0.0.1:9/hook")
    headers = signed_headers(body)
    if case == "non-numeric timestamp":
        headers["X-Slack-Request-Timestamp"] = "12e3"
    elif case == "non-ASCII signature":
        headers["X-Slack-Signature"] = "v0=" + "é" * 64
    else:
        headers["X-Slack-Signature"] = "v0=abc"
    caplog.set_level(logging.DEBUG)
    async with http.post(url, data=body.encode(), headers={k: v.encode().decode("latin-1") for k, v in headers.items()}) as resp:
        assert resp.status == (400 if case == "non-numeric timestamp" else 401)
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_replayed_request_is_refused(served: Served) -> None:
    fake, adapter, url, http = served
    body = slash_command_body("china", fake.response_url("T1/1/once"))
    headers = signed_headers(body)
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 200
    async with http.post(url, data=body, headers=headers) as resp:
        assert resp.status == 401 and "replayed" in await resp.text()
    await fake.wait_for(lambda: len(fake.replies) >= 1)
    await fake.wait_for(lambda: not adapter._inflight)
    assert [r.hook for r in fake.replies] == ["T1-1-once"]


async def test_a_client_that_drops_a_slow_body_is_one_log_line(served: Served, caplog) -> None:
    _, adapter, _, _ = served
    caplog.set_level(logging.DEBUG)
    reader, writer = await asyncio.open_connection("127.0.0.1", adapter.port)
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 5000\r\n\r\ncommand=/brief&text=")
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await asyncio.sleep(0.3)
    assert not [r for r in caplog.records if r.exc_info]
    dropped = [r for r in caplog.records if "dropped by the client" in r.getMessage()]
    assert len(dropped) == 1


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=300), content_type=st.sampled_from(
    ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data"]))
def test_hostile_signed_bodies_never_make_a_5xx_nor_a_traceback(fixture_briefer: Briefer, body: bytes,
                                                                 content_type: str) -> None:
    async def one() -> tuple[int, int]:
        fake = await FakeSlackAPI().start()
        adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                               api_url=fake.api_url, host="127.0.0.1", port=0)
        await adapter.start()
        handler = _Count()
        logging.getLogger().addHandler(handler)
        try:
            async with aiohttp.ClientSession() as http:
                async with http.post(f"http://127.0.0.1:{adapter.port}/slack/events", data=body,
                                     headers=signed_raw(body, content_type)) as resp:
                    status = resp.status
        finally:
            logging.getLogger().removeHandler(handler)
            await adapter.close()
            await fake.stop()
        return status, handler.tracebacks

    status, tracebacks = asyncio.run(one())
    assert status < 500 and tracebacks == 0


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.tracebacks = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.tracebacks += record.exc_info is not None


def test_sign_helper_matches_the_guard() -> None:
    assert sign("a=b", 1).startswith("v0=") and len(sign("a=b", 1)) == 67


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=&%2;+ é", max_size=40))
def test_the_plain_form_check_accepts_exactly_what_strict_parsing_does(text: str) -> None:
    from urllib.parse import parse_qsl

    from bot.adapters.slack.guard import MAX_FIELDS, plain_form

    try:
        parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS)
        accepted = True
    except ValueError:
        accepted = False
    assert plain_form(text) is accepted
    assert plain_form("&".join([text.replace("&", "") + "="] * (MAX_FIELDS + 1))) is False  # too many fields


async def test_a_signed_form_with_too_many_fields_gets_400(served: Served) -> None:
    _, _, url, http = served
    body = (slash_command_body("china", "http://127.0.0.1:9/hooks/x") + "&x=1" * 1000).encode()
    async with http.post(url, data=body, headers=signed_raw(body)) as resp:
        assert resp.status == 400 and "malformed form body" in await resp.text()
