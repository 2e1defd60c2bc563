"""Two bot instances with real APScheduler jobs against one real PostgreSQL: one delivery per channel per period."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import load_config
from bot.core.store import Store
from bot.digests.ledger import Ledger, make_engine, metadata
from bot.digests.schedule import DigestScheduler
from tests.fakes.clock import FakeClock
from tests.fakes.digest_world import World, build_world, write_config
from tests.fakes.recording_platform import RecordingPlatform

pytestmark = pytest.mark.postgres
PARIS = ZoneInfo("Europe/Paris")
CHANNELS = 30


async def settle(ledger: Ledger, expected: int) -> None:
    for _ in range(300):
        rows = ledger.rows()
        if len(rows) == expected and all(r.status == "posted" for r in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {Counter(r.status for r in ledger.rows())}")


async def test_two_schedulers_on_postgres_deliver_once_per_channel_and_period(
    tmp_path: Path, fixture_store: Store, postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    config = load_config(write_config(tmp_path / "config", channels=CHANNELS, schedule='{time: "08:00"}',
                                      timezone="Europe/Paris"))
    clock = FakeClock(datetime(2025, 3, 29, 7, 0, tzinfo=PARIS))
    platform = RecordingPlatform("console", clock)
    instances: list[tuple[World, DigestScheduler]] = []
    for owner in ("instance-a", "instance-b"):
        world = build_world(config, fixture_store, make_engine(postgres_url), clock, platform, owner=owner)
        scheduler = DigestScheduler(world.runner.run_due, world.runner.catch_up)
        scheduler.apply(config)
        scheduler.start()
        instances.append((world, scheduler))
    try:
        await asyncio.gather(*(w.runner.catch_up() for w, _ in instances))  # start-up: nothing due yet
        for n, day in enumerate((29, 30, 31), start=1):  # across the DST change of 30 March
            clock.set(datetime(2025, 3, day, 8, 0, 2, tzinfo=PARIS))
            for _, scheduler in instances:  # both real schedulers fire the same job at the same moment
                scheduler.scheduler.get_job("digest:daily").modify(next_run_time=datetime.now(UTC))
                scheduler.scheduler.get_job("digest-sweep").modify(next_run_time=datetime.now(UTC))
            await settle(instances[0][0].ledger, CHANNELS * n)
        await asyncio.sleep(0.3)  # any straggler that was going to post twice would have by now
    finally:
        for _, scheduler in instances:
            scheduler.close()

    counts = Counter((p.channel, p.key) for p in platform.posts)
    assert len(counts) == CHANNELS * 3 and set(counts.values()) == {1}
    rows = instances[0][0].ledger.rows()
    assert sorted({r.period_key for r in rows}) == [f"2025-03-{d}T08:00 Europe/Paris" for d in (29, 30, 31)]
    assert Counter((r.channel, r.period_key) for r in rows).most_common(1)[0][1] == 1
    assert {f"{p.at.astimezone(PARIS):%H:%M}" for p in platform.posts} == {"08:00"}


def test_concurrent_claims_on_postgres_have_one_winner(postgres_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = make_engine(postgres_url)
    ledgers = [Ledger(make_engine(postgres_url)) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda i: ledgers[i].claim("race", "slack:C1", "2025-01-01T08:00 UTC", f"o{i}").state,
                               range(8)))
    assert sorted(states) == ["skip"] * 7 + ["won"]
    engine.dispose()
