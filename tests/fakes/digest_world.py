"""Builds a digest set-up for tests: config files on disk, a SQLite ledger, a fake clock and a recording platform."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.core.config import Config, load_config
from bot.core.store import Store
from bot.digests.delivery import Deliverer, RetryPolicy
from bot.digests.runner import DigestRunner
from bot.digests.ledger import Ledger, make_engine
from bot.digests.ratelimit import RateLimiter
from tests.fakes.clock import FakeClock
from tests.fakes.recording_platform import RecordingPlatform


def write_config(folder: Path, *, channels: int, schedule: str, timezone: str, catch_up: int = 360,
                 platform: str = "console", topics: str = "all") -> Path:
    """Write channels.yaml (n channels and an admin channel) and digests.yaml with one digest 'daily'."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["channels:"]
    for i in range(channels):
        lines += [f"  - id: c{i}", f"    platform: {platform}", f"    channel_id: chan{i}"]
    lines += ["  - id: admins", f"    platform: {platform}", "    channel_id: admins", "    admin: true"]
    (folder / "channels.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    names = ", ".join(f"c{i}" for i in range(channels))
    (folder / "digests.yaml").write_text(
        "digests:\n"
        "  - id: daily\n"
        f"    platform: {platform}\n"
        f"    channels: [{names}]\n"
        f"    topics: {topics}\n"
        f"    schedule: {schedule}\n"
        f"    timezone: {timezone}\n"
        f"    catch_up_minutes: {catch_up}\n",
        encoding="utf-8",
    )
    return folder


@dataclass
class World:
    """One bot instance's digest machinery over a shared database and platform."""

    config: Config
    clock: FakeClock
    ledger: Ledger
    platform: RecordingPlatform
    deliverer: Deliverer
    runner: DigestRunner
    sleeps: list[float] = field(default_factory=list)


def build_world(config: Config, store: Store, engine: Engine, clock: FakeClock, platform: RecordingPlatform,
                owner: str = "instance-a", concurrency: int = 8) -> World:
    """An instance: its own Deliverer and owner id, sharing the engine, clock and platform given."""
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    ledger = Ledger(engine, clock)
    limiter = RateLimiter(sleep=fake_sleep)
    deliverer = Deliverer(ledger, {platform.name: platform}, owner=owner, limiter=limiter,
                          policy=RetryPolicy(attempts=4, timeout=5.0), sleep=fake_sleep, concurrency=concurrency)
    runner = DigestRunner(config, lambda: store, ledger, deliverer, clock)
    return World(config, clock, ledger, platform, deliverer, runner, sleeps)


def sqlite_world(tmp_path: Path, store: Store, start: datetime, **config_args: object) -> World:
    """A single instance on a fresh SQLite ledger."""
    config = load_config(write_config(tmp_path / "config", **config_args))  # type: ignore[arg-type]
    clock = FakeClock(start)
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    return build_world(config, store, engine, clock, RecordingPlatform("console", clock))
