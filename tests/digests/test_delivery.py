"""Delivery: retries on 429/5xx/timeouts honouring Retry-After, final failures recorded and reported, pacing."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.base import PostError
from bot.core.store import Store
from bot.digests.delivery import classify
from bot.digests.ratelimit import Limit, RateLimiter
from tests.fakes.digest_world import World, sqlite_world
from tests.fakes.recording_platform import rate_limited, server_error

PARIS = ZoneInfo("Europe/Paris")


def due_world(tmp_path: Path, store: Store, channels: int = 2) -> World:
    world = sqlite_world(tmp_path, store, datetime(2025, 5, 5, 7, 0, tzinfo=PARIS), channels=channels,
                         schedule='{time: "08:00"}', timezone="Europe/Paris")
    return world


async def start_due(world: World) -> None:
    await world.runner.catch_up()  # records when the digest was first scheduled
    world.clock.set(datetime(2025, 5, 5, 8, 0, 5, tzinfo=PARIS))


async def test_rate_limit_is_retried_after_the_time_the_platform_asks(tmp_path: Path, fixture_store: Store) -> None:
    world = due_world(tmp_path, fixture_store)
    await start_due(world)
    world.platform.failures["chan0"] = [rate_limited(7.0), rate_limited(2.5)]
    outcomes = (await world.runner.catch_up())["daily"]
    assert sorted(o.status for o in outcomes) == ["posted", "posted"]
    assert 7.0 in world.sleeps and 2.5 in world.sleeps
    row = next(r for r in world.ledger.rows() if r.channel == "console:chan0")
    assert (row.status, row.attempts) == ("posted", 3)
    assert len(world.platform.in_channel("chan0")) == 1
    assert world.platform.find_calls == []  # a 429 means nothing was created: no need to look


async def test_server_error_after_the_message_landed_is_not_posted_twice(tmp_path: Path, fixture_store: Store) -> None:
    world = due_world(tmp_path, fixture_store, channels=1)
    await start_due(world)
    world.platform.failures["chan0"] = [("landed", server_error(502))]
    outcomes = (await world.runner.catch_up())["daily"]
    assert [o.status for o in outcomes] == ["recovered"]
    assert len(world.platform.in_channel("chan0")) == 1
    assert world.ledger.rows()[0].message_ids == [world.platform.posts[0].message_id]


async def test_timeouts_back_off_exponentially(tmp_path: Path, fixture_store: Store) -> None:
    world = due_world(tmp_path, fixture_store, channels=1)
    await start_due(world)
    world.platform.failures["chan0"] = [TimeoutError(), TimeoutError(), ConnectionResetError()]
    outcomes = (await world.runner.catch_up())["daily"]
    assert [o.status for o in outcomes] == ["posted"]
    backoffs = [s for s in world.sleeps if s >= 0.5]
    assert len(backoffs) == 3 and 1.0 <= backoffs[0] < 1.2 and 2.0 <= backoffs[1] < 2.4 and 4.0 <= backoffs[2] < 4.8


async def test_final_failure_is_recorded_and_admins_are_told(tmp_path: Path, fixture_store: Store) -> None:
    world = due_world(tmp_path, fixture_store, channels=3)
    await start_due(world)
    world.platform.failures["chan1"] = [server_error(503)] * 4  # every attempt of the policy (4)
    world.platform.failures["chan2"] = [PostError("403 Missing Access", status=403)]
    outcomes = {o.channel: o for o in (await world.runner.catch_up())["daily"]}
    assert outcomes["console:chan0"].status == "posted"
    assert (outcomes["console:chan1"].status, outcomes["console:chan1"].attempts) == ("failed", 4)
    assert (outcomes["console:chan2"].status, outcomes["console:chan2"].attempts) == ("failed", 1)
    rows = {r.channel: r for r in world.ledger.rows()}
    assert rows["console:chan1"].status == "failed" and "503" in (rows["console:chan1"].error or "")
    assert rows["console:chan2"].status == "failed" and "403" in (rows["console:chan2"].error or "")
    alerts = world.platform.in_channel("admins")
    assert len(alerts) == 1 and alerts[0].doc.tone == "error"
    alert_text = str(alerts[0].doc.model_dump())
    assert "console:chan1" in alert_text and "console:chan2" in alert_text
    # A final failure is final: later sweeps neither retry it nor alert again.
    await world.runner.catch_up()
    assert len(world.platform.in_channel("chan1")) == 0 and len(world.platform.in_channel("admins")) == 1


async def test_what_changed_compares_with_what_the_channel_was_last_sent(tmp_path: Path, fixture_store: Store) -> None:
    from bot.core.models import Evidence
    from bot.core.store import build_store

    world = due_world(tmp_path, fixture_store, channels=1)
    await start_due(world)
    await world.runner.catch_up()
    first = world.platform.posts[0].doc
    assert "First digest" in str(first.model_dump())
    oped = fixture_store.sources["oped"]
    claim = oped.claims[0].model_copy(update={"evidence": Evidence.SUPPORTED})
    changed = oped.model_copy(update={"claims": (claim,)})
    store2 = build_store(list(fixture_store.topics.values()),
                         [changed if s.id == "oped" else s for s in fixture_store.sources.values()], "v2")
    world.runner.store = lambda: store2
    world.clock.set(datetime(2025, 5, 6, 8, 0, 5, tzinfo=PARIS))
    await world.runner.catch_up()
    second = world.platform.posts[1].doc
    china_changes = next(s for s in second.sections if s.title == "China: what changed")
    text = str(china_changes.model_dump())
    assert "Changed claim" in text and "was Speculative" in text and "Supported" in text


def test_classify_reads_status_and_retry_after_of_platform_errors() -> None:
    class Response:
        status_code = 429
        headers = {"Retry-After": "12"}

    class SlackLikeError(Exception):
        response = Response()

    class DiscordLikeError(Exception):
        status = 500

    slack = classify(SlackLikeError("ratelimited"))
    assert (slack.retryable, slack.retry_after, slack.maybe_landed) == (True, 12.0, False)
    discord = classify(DiscordLikeError("boom"))
    assert (discord.retryable, discord.maybe_landed) == (True, True)
    assert classify(ValueError("bug")).retryable is False


def test_rate_limiter_keeps_discord_limits() -> None:
    now = [0.0]
    limiter = RateLimiter({"discord": Limit(per_channel=5, window=5.0, rate=50.0)}, margin=0.0,
                          monotonic=lambda: now[0])
    times = [limiter.reserve("discord", f"c{i}") for i in range(150)]
    assert abs(times[149] - 149 / 50) < 1e-9  # 50 per second, evenly spaced
    assert all(sum(1 for t in times if start <= t < start + 1.0 - 1e-9) <= 50 for start in (0.0, 0.37, 1.0, 1.9))
    one_channel = [limiter.reserve("discord", "busy") for _ in range(11)]
    assert one_channel[5] - one_channel[0] >= 5.0 and one_channel[10] - one_channel[5] >= 5.0
