"""Exactly once through the real adapters: the Deliverer and a SQLite ledger drive the real SlackAdapter
(slack_sdk) and DiscordAdapter (discord.py) against the fake platforms, with faults injected at the HTTP
level; every channel must hold each page of its digest exactly once, in order."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.adapter import DiscordAdapter, page_nonce
from bot.adapters.discord.embeds import render_embeds
from bot.adapters.slack.adapter import POST_PAGES, SlackAdapter, fit_pages
from bot.adapters.slack.blocks import render_blocks
from bot.core.briefer import Briefer
from bot.core.config import Channel, Platform
from bot.core.digest import Snapshot
from bot.core.document import Document, Item, Section, bold, plain
from bot.digests.delivery import Deliverer, Outcome, RetryPolicy
from bot.digests.ledger import Ledger, delivery_key, make_engine
from bot.digests.ratelimit import Limit, RateLimiter
from tests.fakes.discord_api import GUILD_ID, FakeDiscordAPI
from tests.fakes.faults import Fault, FaultPlan
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET

DIGEST, PERIOD = "daily", "2026-01-05T08:00 UTC"
STALL = 0.8  # a stalled request hangs this long; the adapters give up after POST_TIMEOUT
POST_TIMEOUT = 0.3
SLACK_POST, DISCORD_POST = r"/api/chat\.postMessage$", r"/channels/\d+/messages$"


def digest_document() -> Document:
    """A digest long enough to take several messages on both platforms."""
    items = [Item(badge="🤔", head=[bold(f"Claim {n}")], note=[plain(f"claim c{n}")],
                  body=[[plain("A statement about the subject, of the length claims have. " * 5)]]) for n in range(60)]
    return Document(title="Digest daily", summary=[plain("What changed.")], sections=[Section(title="Claims", blocks=items)])


def compose(_: Snapshot | None) -> tuple[Document, Snapshot]:
    return digest_document(), Snapshot(version="v1")


@dataclass
class Rig:
    """One platform's real adapter, its fake, and a Deliverer over a fresh ledger."""

    platform: str
    fake: Any
    adapter: Any
    deliverer: Deliverer
    ledger: Ledger
    channels: list[Channel]
    sleeps: list[float] = field(default_factory=list)

    @property
    def plan(self) -> FaultPlan:
        return self.fake.faults if self.platform == "slack" else self.fake.faults_plan

    @property
    def post_path(self) -> str:
        return SLACK_POST if self.platform == "slack" else DISCORD_POST

    def pages(self) -> int:
        """How many messages the digest takes on this platform."""
        doc = digest_document()
        if self.platform == "slack":
            return len(fit_pages(render_blocks(doc), POST_PAGES))
        return len(render_embeds(doc, marker="ref x"))

    def received(self, channel: Channel) -> list[tuple[str, int]]:
        """(key, page number from 1) of every message the channel holds, in order."""
        msgs = self.fake.messages.get(channel.channel_id, [])
        if self.platform == "slack":
            return [(m["metadata"]["event_payload"]["key"], m["metadata"]["event_payload"]["page"]) for m in msgs]
        key = delivery_key(DIGEST, channel.address, PERIOD)
        nonces = {page_nonce(key, n): n + 1 for n in range(self.pages())}
        return [(key, nonces[m["nonce"]]) if m.get("nonce") in nonces else ("?", 0) for m in msgs]

    def fault(self, **kwargs: Any) -> Fault:
        return self.plan.add(Fault("POST", self.post_path, stall=STALL, **kwargs))

    async def run(self) -> list[Outcome]:
        return await asyncio.wait_for(self.deliverer.fan_out(DIGEST, PERIOD, self.channels, compose), 30)


def make_deliverer(ledger: Ledger, adapter: Any, sleeps: list[float], attempts: int = 6) -> Deliverer:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(min(seconds, 0.02))

    free = {"slack": Limit(None, 0.0, None), "discord": Limit(None, 0.0, None)}
    return Deliverer(ledger, {adapter.name: adapter}, owner="fault-test", limiter=RateLimiter(free),
                     policy=RetryPolicy(attempts=attempts, base=0.05, cap=0.2, timeout=2.0), sleep=sleep)


@pytest.fixture(params=["slack", "discord"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path, fixture_briefer: Briefer) -> AsyncIterator[Rig]:
    maker = slack_rig if request.param == "slack" else discord_rig
    async with maker(tmp_path, fixture_briefer) as made:
        yield made


@asynccontextmanager
async def slack_rig(tmp_path: Path, fixture_briefer: Briefer) -> AsyncIterator[Rig]:
    fake = await FakeSlackAPI().start()
    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0)
    await adapter.start()
    adapter.post_timeout = POST_TIMEOUT
    ledger = Ledger(make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}"))
    sleeps: list[float] = []
    channels = [Channel(id=f"c{n}", platform=Platform("slack"), channel_id=f"C0000{n}") for n in range(3)]
    try:
        yield Rig("slack", fake, adapter, make_deliverer(ledger, adapter, sleeps), ledger, channels, sleeps)
    finally:
        await adapter.close()
        await fake.stop()


@asynccontextmanager
async def discord_rig(tmp_path: Path, fixture_briefer: Briefer) -> AsyncIterator[Rig]:
    fake = await FakeDiscordAPI().start()
    fake.nonce_window = 0  # Discord's nonce dedup must not be what saves us
    adapter = DiscordAdapter(fixture_briefer, "fake-token", guild_id=int(GUILD_ID), api_url=fake.api_url,
                             gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
    await adapter.start()
    adapter.post_timeout = POST_TIMEOUT
    ledger = Ledger(make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}"))
    sleeps: list[float] = []
    channels = [Channel(id=f"c{n}", platform=Platform("discord"), channel_id=str(3000000000000000100 + n))
                for n in range(3)]
    try:
        yield Rig("discord", fake, adapter, make_deliverer(ledger, adapter, sleeps), ledger, channels, sleeps)
    finally:
        await adapter.close()
        await fake.stop()


def assert_exactly_once(rig: Rig, outcomes: list[Outcome]) -> None:
    """Every channel holds pages 1…n of its key once, in order, and the ledger records those messages."""
    pages = rig.pages()
    assert pages > 1
    assert {o.status for o in outcomes} <= {"posted", "recovered"}, outcomes
    rows = {r.channel: r for r in rig.ledger.rows()}
    for channel in rig.channels:
        key = delivery_key(DIGEST, channel.address, PERIOD)
        assert rig.received(channel) == [(key, n) for n in range(1, pages + 1)], channel.address
        row = rows[channel.address]
        held = rig.fake.messages[channel.channel_id]
        ids = [m["ts"] if rig.platform == "slack" else m["id"] for m in held]
        assert (row.status, row.message_ids, row.pages) == ("posted", ids, pages)
    assert rig.plan.pending == 0  # every programmed fault did fire


CASES: dict[str, list[dict[str, Any]]] = {
    "429 with Retry-After on page 2": [dict(status=429, retry_after=3, skip=1)],
    "500 before landing": [dict(status=500)],
    "burst of 500/503 before landing": [dict(status=500, count=2), dict(status=503, count=3)],
    "500 after landing, page 2": [dict(status=500, when="after", skip=1)],
    "503 after landing, page 1": [dict(status=503, when="after")],
    "connection reset after landing": [dict(kind="reset", when="after", skip=2)],
    "connection reset before landing": [dict(kind="reset")],
    "timeout after landing": [dict(kind="stall", when="after", skip=1)],
    "timeout before landing": [dict(kind="stall")],
}


@pytest.mark.parametrize("case", list(CASES))
async def test_each_fault_leaves_every_page_exactly_once(rig: Rig, case: str) -> None:
    for fault in CASES[case]:
        rig.fault(**fault)
    outcomes = await rig.run()
    assert_exactly_once(rig, outcomes)
    if case.startswith("429"):
        assert 3.0 in rig.sleeps  # the Deliverer waited what Retry-After said (the SDK did not retry)


async def test_random_faults_on_many_channels(rig: Rig) -> None:
    platform = rig.platform
    address = "C1" if platform == "slack" else "3000000000000000200"
    rig.channels = [Channel(id=f"r{n}", platform=Platform(platform), channel_id=f"{address}{n:02d}") for n in range(10)]
    rig.deliverer = make_deliverer(rig.ledger, rig.adapter, rig.sleeps, attempts=10)
    menu = [Fault("POST", rig.post_path, status=503), Fault("POST", rig.post_path, status=500, when="after"),
            Fault("POST", rig.post_path, kind="reset", when="after"), Fault("POST", rig.post_path, kind="reset"),
            Fault("POST", rig.post_path, kind="stall", when="after", stall=STALL)]
    rig.plan.random(13, "POST", rig.post_path, p=0.3, menu=menu, limit=8)
    outcomes = await rig.run()
    assert 3 <= len(rig.plan.fired) <= 8  # seeded; which request each hits depends on timing
    pages = rig.pages()
    for channel in rig.channels:
        key = delivery_key(DIGEST, channel.address, PERIOD)
        assert rig.received(channel) == [(key, n) for n in range(1, pages + 1)], channel.address
    assert {o.status for o in outcomes} <= {"posted", "recovered"}
