"""Scheduled digests under a controlled clock: local times across DST, catch-up after downtime, restart mid fan-out."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import load_config
from bot.core.store import Store
from bot.digests.ledger import make_engine
from apscheduler.triggers.cron import CronTrigger

from bot.digests.schedule import DigestScheduler, latest_period, period_key
from tests.fakes.clock import FakeClock
from tests.fakes.digest_world import World, build_world, sqlite_world, write_config
from tests.fakes.recording_platform import RecordingPlatform

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


async def run_clock(world: World, until: datetime, step: timedelta) -> None:
    """Move the clock on step by step, running what is due at each step (what the sweep job does)."""
    while world.clock() < until:
        world.clock.advance(step)
        await world.runner.catch_up()


def local_post_times(world: World, channel: str, zone: ZoneInfo) -> list[str]:
    return [f"{p.at.astimezone(zone):%Y-%m-%d %H:%M %Z}" for p in world.platform.in_channel(channel)]


@pytest.mark.parametrize(("zone", "start", "expected"), [
    (PARIS, datetime(2025, 3, 28, 12, 0), [  # clocks go forward on Sunday 30 March
        "2025-03-29 08:00 CET", "2025-03-30 08:00 CEST", "2025-03-31 08:00 CEST"]),
    (PARIS, datetime(2025, 10, 24, 12, 0), [  # clocks go back on Sunday 26 October
        "2025-10-25 08:00 CEST", "2025-10-26 08:00 CET", "2025-10-27 08:00 CET"]),
    (NEW_YORK, datetime(2025, 3, 7, 12, 0), [  # clocks go forward on Sunday 9 March
        "2025-03-08 08:00 EST", "2025-03-09 08:00 EDT", "2025-03-10 08:00 EDT"]),
    (NEW_YORK, datetime(2025, 10, 31, 12, 0), [  # clocks go back on Sunday 2 November
        "2025-11-01 08:00 EDT", "2025-11-02 08:00 EST", "2025-11-03 08:00 EST"]),
])
async def test_digest_fires_at_local_time_across_dst(tmp_path: Path, fixture_store: Store, zone: ZoneInfo,
                                                     start: datetime, expected: list[str]) -> None:
    world = sqlite_world(tmp_path, fixture_store, start.replace(tzinfo=zone), channels=2,
                         schedule='{time: "08:00"}', timezone=zone.key)
    await run_clock(world, world.clock() + timedelta(days=3), timedelta(minutes=5))
    for channel in ("chan0", "chan1"):
        assert local_post_times(world, channel, zone) == expected
    assert {r.status for r in world.ledger.rows()} == {"posted"}


async def test_time_that_occurs_twice_when_clocks_go_back_is_sent_once(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 11, 1, 12, 0, tzinfo=NEW_YORK), channels=1,
                         schedule='{time: "01:30"}', timezone="America/New_York")
    await run_clock(world, world.clock() + timedelta(days=2), timedelta(minutes=10))
    assert local_post_times(world, "chan0", NEW_YORK) == ["2025-11-02 01:30 EDT", "2025-11-03 01:30 EST"]


async def test_time_skipped_when_clocks_go_forward_is_sent_an_hour_later(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 3, 29, 12, 0, tzinfo=PARIS), channels=1,
                         schedule='{time: "02:30"}', timezone="Europe/Paris")
    await run_clock(world, world.clock() + timedelta(days=2), timedelta(minutes=10))
    # 02:30 does not exist on 30 March in Paris: the digest goes out at 03:30, not never.
    assert local_post_times(world, "chan0", PARIS) == ["2025-03-30 03:30 CEST", "2025-03-31 02:30 CEST"]


async def test_weekdays_and_cron_schedules(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 6, 6, 12, 0, tzinfo=PARIS), channels=1,
                         schedule='{cron: "15 9 * * sat,mon"}', timezone="Europe/Paris")
    await run_clock(world, world.clock() + timedelta(days=4), timedelta(minutes=15))
    assert local_post_times(world, "chan0", PARIS) == ["2025-06-07 09:15 CEST", "2025-06-09 09:15 CEST"]


async def test_missed_run_is_caught_up_exactly_once(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 5, 5, 7, 0, tzinfo=PARIS), channels=3,
                         schedule='{time: "08:00"}', timezone="Europe/Paris", catch_up=240)
    await run_clock(world, datetime(2025, 5, 5, 9, 0, tzinfo=PARIS), timedelta(minutes=5))
    assert len(world.platform.posts) == 3
    # Down from 07:00 to 09:30 the next day: the 08:00 run was missed while down.
    world.clock.set(datetime(2025, 5, 6, 9, 30, tzinfo=PARIS))
    restarted = build_world(world.config, fixture_store, world.ledger.engine, world.clock, world.platform, owner="b")
    await restarted.runner.catch_up()
    for _ in range(5):  # later sweeps and the on-time job find nothing left to do
        restarted.clock.advance(timedelta(minutes=7))
        await restarted.runner.catch_up()
    per_day = Counter((p.channel, f"{p.at.astimezone(PARIS):%d}") for p in world.platform.posts)
    assert per_day == {(f"chan{i}", day): 1 for i in range(3) for day in ("05", "06")}
    caught_up = [p for p in world.platform.posts if p.at.astimezone(PARIS).day == 6]
    assert {f"{p.at.astimezone(PARIS):%H:%M}" for p in caught_up} == {"09:30"}
    assert "Tuesday 06 May 2025, 08:00" in caught_up[0].doc.title


async def test_run_missed_beyond_catch_up_is_recorded_and_reported(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 5, 5, 7, 0, tzinfo=PARIS), channels=2,
                         schedule='{time: "08:00"}', timezone="Europe/Paris", catch_up=60)
    await run_clock(world, datetime(2025, 5, 5, 8, 30, tzinfo=PARIS), timedelta(minutes=5))
    world.clock.set(datetime(2025, 5, 6, 11, 0, tzinfo=PARIS))  # 3 h late, catch-up is 1 h
    await world.runner.catch_up()
    await world.runner.catch_up()
    assert sorted(p.channel for p in world.platform.posts) == ["admins", "chan0", "chan1"]
    assert world.platform.posts[-1].channel == "admins"
    alert = world.platform.posts[-1].doc
    assert alert.tone == "error" and alert.title == "Digest missed"
    missed = [r for r in world.ledger.rows() if r.status == "failed"]
    assert [(r.channel, r.period_key) for r in missed] == [
        ("console:chan0", "2025-05-06T08:00 Europe/Paris"), ("console:chan1", "2025-05-06T08:00 Europe/Paris")]
    assert all("missed" in (r.error or "") for r in missed)


async def test_periods_before_a_digest_existed_are_not_owed(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 5, 5, 9, 0, tzinfo=PARIS), channels=1,
                         schedule='{time: "08:00"}', timezone="Europe/Paris")
    await world.runner.catch_up()  # first start an hour after today's run: nothing was owed yet
    assert world.platform.posts == [] and world.ledger.rows() == []


async def test_restart_mid_fan_out_serves_every_channel_exactly_once(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 5, 5, 7, 59, tzinfo=PARIS), channels=60,
                         schedule='{time: "08:00"}', timezone="Europe/Paris")
    await world.runner.catch_up()
    world.clock.set(datetime(2025, 5, 5, 8, 0, 1, tzinfo=PARIS))
    run = asyncio.create_task(world.runner.catch_up())
    world.platform.die_after = 25  # the 25th post lands, then the process dies before recording it
    world.platform.on_death = run.cancel
    with pytest.raises(asyncio.CancelledError):
        await run
    await asyncio.sleep(0.2)  # let ledger writes already handed to threads finish, as a dying process's would
    statuses = Counter(r.status for r in world.ledger.rows())
    assert statuses["posted"] < 60 and statuses["claimed"] >= 1
    world.platform.die_after = None

    world.clock.advance(timedelta(minutes=1))  # restarted quickly: the dead claims still hold their lease
    restarted = build_world(world.config, fixture_store, world.ledger.engine, world.clock, world.platform, owner="b")
    await restarted.runner.catch_up()
    world.clock.advance(timedelta(minutes=6))  # a sweep after the lease ran out takes the rest over
    await restarted.runner.catch_up()
    await restarted.runner.catch_up()

    counts = Counter(p.channel for p in world.platform.posts)
    assert counts == {f"chan{i}": 1 for i in range(60)}
    rows = world.ledger.rows()
    assert len(rows) == 60 and {r.status for r in rows} == {"posted"}
    died = next(p for p in world.platform.posts if p.message_id.endswith("-25"))
    died_row = next(r for r in rows if r.channel == f"console:{died.channel}")
    assert died_row.message_ids == [died.message_id]  # found again with find_post, not re-posted
    assert (died.channel, died_row.key) in world.platform.find_calls


async def test_jobs_are_rebuilt_from_config(tmp_path: Path, fixture_store: Store) -> None:
    folder = write_config(tmp_path / "config", channels=1, schedule='{time: "08:00"}', timezone="Europe/Paris")
    config = load_config(folder)
    calls: list[str] = []

    async def run_due(digest_id: str) -> None:
        calls.append(digest_id)

    async def sweep() -> None:
        calls.append("sweep")

    scheduler = DigestScheduler(run_due, sweep)
    scheduler.start()
    try:
        assert scheduler.apply(config) == ["digest:daily"]
        assert scheduler.apply(config) == ["digest:daily"]  # applying again replaces, never duplicates
        assert sorted(j.id for j in scheduler.scheduler.get_jobs()) == ["digest-sweep", "digest:daily"]
        job = scheduler.scheduler.get_job("digest:daily")
        assert job.next_run_time.astimezone(PARIS).strftime("%H:%M") == "08:00"
        changed = (folder / "digests.yaml").read_text().replace('"08:00"', '"17:45"').replace("id: daily", "id: evening")
        (folder / "digests.yaml").write_text(changed)
        assert scheduler.apply(load_config(folder)) == ["digest:evening"]
        assert sorted(j.id for j in scheduler.scheduler.get_jobs()) == ["digest-sweep", "digest:evening"]
        evening = scheduler.scheduler.get_job("digest:evening")
        assert evening.next_run_time.astimezone(PARIS).strftime("%H:%M") == "17:45"
        evening.modify(next_run_time=datetime.now(UTC))  # the real scheduler fires the job it built
        for _ in range(100):
            if calls:
                break
            await asyncio.sleep(0.02)
        assert calls == ["evening"]
    finally:
        scheduler.close()


def test_latest_period_and_keys() -> None:
    trigger = CronTrigger(hour=8, minute=0, timezone=NEW_YORK)
    assert latest_period(trigger, datetime(2025, 3, 9, 7, 59, tzinfo=NEW_YORK)) == datetime(2025, 3, 8, 8, 0, tzinfo=NEW_YORK)
    assert latest_period(trigger, datetime(2025, 3, 9, 8, 0, tzinfo=NEW_YORK)) == datetime(2025, 3, 9, 8, 0, tzinfo=NEW_YORK)
    weekly = CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=PARIS)
    assert latest_period(weekly, datetime(2025, 5, 11, 23, 0, tzinfo=PARIS)) == datetime(2025, 5, 5, 8, 0, tzinfo=PARIS)
    first = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)
    second = datetime(2025, 11, 2, 6, 30, tzinfo=UTC)
    assert period_key(first, "America/New_York") == period_key(second, "America/New_York") == "2025-11-02T01:30 America/New_York"


async def test_two_instances_on_sqlite_deliver_once(tmp_path: Path, fixture_store: Store) -> None:
    config = load_config(write_config(tmp_path / "config", channels=20, schedule='{time: "08:00"}',
                                      timezone="Europe/Paris"))
    clock = FakeClock(datetime(2025, 5, 5, 7, 0, tzinfo=PARIS))
    platform = RecordingPlatform("console", clock)
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    a = build_world(config, fixture_store, make_engine(url), clock, platform, owner="a")
    b = build_world(config, fixture_store, make_engine(url), clock, platform, owner="b")
    for day in (5, 6, 7):
        clock.set(datetime(2025, 5, day, 8, 0, 30, tzinfo=PARIS))
        await asyncio.gather(a.runner.catch_up(), b.runner.catch_up(), a.runner.catch_up())
    counts = Counter((p.channel, p.key) for p in platform.posts)
    assert len(counts) == 60 and set(counts.values()) == {1}


async def test_config_reload_rebuilds_jobs_and_keeps_old_config_on_errors(tmp_path: Path, fixture_store: Store) -> None:
    from bot.digests.runner import build_digests, reload_config, start_digests

    folder = write_config(tmp_path / "config", channels=1, schedule='{time: "08:00"}', timezone="Europe/Paris")
    platform = RecordingPlatform("console")
    runner, scheduler = build_digests(load_config(folder), lambda: fixture_store, {"console": platform},
                                      url=f"sqlite:///{tmp_path / 'l.sqlite'}")
    await start_digests(runner, scheduler)
    try:
        (folder / "digests.yaml").write_text((folder / "digests.yaml").read_text().replace("Europe/Paris", "Mars/Olympus"))
        problems = reload_config(runner, scheduler, folder, set(fixture_store.topics))
        assert [p.field for p in problems] == ["digests.0.timezone"]
        assert runner.config.digests["daily"].timezone == "Europe/Paris"
        (folder / "digests.yaml").write_text((folder / "digests.yaml").read_text().replace("Mars/Olympus", "Asia/Tokyo"))
        assert reload_config(runner, scheduler, folder, set(fixture_store.topics)) == []
        job = scheduler.scheduler.get_job("digest:daily")
        assert str(job.trigger.timezone) == "Asia/Tokyo" and job.next_run_time.astimezone(ZoneInfo("Asia/Tokyo")).hour == 8
    finally:
        scheduler.close()


async def test_claim_left_by_a_crash_is_settled_after_a_long_outage(tmp_path: Path, fixture_store: Store) -> None:
    world = sqlite_world(tmp_path, fixture_store, datetime(2025, 5, 5, 7, 59, tzinfo=PARIS), channels=6,
                         schedule='{time: "08:00"}', timezone="Europe/Paris", catch_up=60)
    await world.runner.catch_up()
    world.clock.set(datetime(2025, 5, 5, 8, 0, 1, tzinfo=PARIS))
    run = asyncio.create_task(world.runner.catch_up())
    world.platform.die_after = 3  # the 3rd post lands, then the process dies before recording it
    world.platform.on_death = run.cancel
    with pytest.raises(asyncio.CancelledError):
        await run
    await asyncio.sleep(0.2)
    assert "claimed" in {r.status for r in world.ledger.rows()}
    world.platform.die_after = None

    world.clock.set(datetime(2025, 5, 5, 11, 0, tzinfo=PARIS))  # down for three hours: past catch-up
    restarted = build_world(world.config, fixture_store, world.ledger.engine, world.clock, world.platform, owner="b")
    await restarted.runner.catch_up()

    rows = {r.channel: r for r in world.ledger.rows()}
    assert len(rows) == 6 and "claimed" not in {r.status for r in rows.values()}
    died = next(p for p in world.platform.posts if p.message_id.endswith("-3"))
    assert rows[f"console:{died.channel}"].status == "posted"  # found on the platform, recorded, not re-posted
    digest_posts = Counter(p.channel for p in world.platform.posts if p.channel != "admins")
    assert all(n == 1 for n in digest_posts.values())
    unposted = {c for c, r in rows.items() if r.status == "failed"}
    assert unposted == {f"console:chan{i}" for i in range(6)} - {f"console:{c}" for c in digest_posts}
    assert all("interrupted" in (rows[c].error or "") for c in unposted)
    if unposted:
        alerts = [p for p in world.platform.posts if p.channel == "admins"]
        assert len(alerts) == 1
    await restarted.runner.catch_up()  # a later sweep changes nothing
    assert Counter(r.status for r in world.ledger.rows()) == Counter(r.status for r in rows.values())
