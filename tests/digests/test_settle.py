"""Settling a dead process's claims never races the schedule: while its period is due the claim is taken
over and finished; only past the catch-up window is it settled as failed (and admins told)."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.store import Store
from bot.digests.runner import period_time
from tests.fakes.digest_world import World, sqlite_world

PARIS = ZoneInfo("Europe/Paris")
PERIOD = "2025-05-05T08:00 Europe/Paris"


async def dead_claim(tmp_path: Path, store: Store) -> World:
    """A world where a process claimed chan0's 08:00 delivery and died before posting anything."""
    world = sqlite_world(tmp_path, store, datetime(2025, 5, 5, 7, 0, tzinfo=PARIS), channels=1,
                         schedule='{time: "08:00"}', timezone="Europe/Paris", catch_up=60)
    await world.runner.catch_up()  # the digest is first scheduled at 07:00
    world.clock.set(datetime(2025, 5, 5, 8, 0, 5, tzinfo=PARIS))
    assert world.ledger.claim("daily", "console:chan0", PERIOD, "dead-process").state == "won"
    world.clock.advance(world.ledger.lease + timedelta(seconds=1))
    return world


async def test_a_stale_claim_still_due_is_taken_over_and_finished(tmp_path: Path, fixture_store: Store) -> None:
    world = await dead_claim(tmp_path, fixture_store)
    outcomes = await world.runner.settle_stale()  # the sweep reaches stale claims before run_due sees them
    assert [o.status for o in outcomes] == ["posted"]
    row = world.ledger.rows()[0]
    assert (row.status, row.claimed_by) == ("posted", "instance-a")
    assert [p.channel for p in world.platform.posts] == ["chan0"]  # the digest, and no alert


async def test_a_stale_claim_past_its_window_is_settled_failed(tmp_path: Path, fixture_store: Store) -> None:
    world = await dead_claim(tmp_path, fixture_store)
    world.clock.set(datetime(2025, 5, 5, 9, 30, tzinfo=PARIS))  # catch-up is 60 minutes
    outcomes = await world.runner.settle_stale()
    assert [o.status for o in outcomes] == ["failed"]
    row = world.ledger.rows()[0]
    assert row.status == "failed" and "catch-up window" in (row.error or "")
    assert [p.channel for p in world.platform.posts] == ["admins"]


async def test_a_live_claim_is_left_alone(tmp_path: Path, fixture_store: Store) -> None:
    world = await dead_claim(tmp_path, fixture_store)
    world.ledger.heartbeat("dead-process")  # not dead after all: its heartbeat renewed the lease
    assert await world.runner.settle_stale() == []
    assert (await world.runner.catch_up())["daily"][0].status == "skipped"
    assert world.platform.posts == [] and world.ledger.rows()[0].claimed_by == "dead-process"


def test_period_keys_name_their_moment() -> None:
    at = period_time(PERIOD)
    assert at == datetime(2025, 5, 5, 8, 0, tzinfo=PARIS)
    assert period_time("manual " + PERIOD) == at and period_time("nonsense") is None
