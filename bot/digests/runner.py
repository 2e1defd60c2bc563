"""Running digests: which period is due, composing each channel's digest, and sending it through the ledger."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.base import Adapter
from bot.core.status import DigestInfo
from bot.core.clock import Clock, system_clock
from bot.core.config import Config, Digest, check_config
from bot.core.changes import ChangeLog
from bot.core.digest import Snapshot, compose_digest, digest
from bot.core.document import Document
from bot.core.problems import Problem
from bot.core.store import Store
from bot.digests.delivery import Composer, Deliverer, Outcome, alert_key, failure_alert, merge_snapshots, missed_alert
from bot.digests.ledger import Ledger, database_url, make_engine
from bot.digests.schedule import DigestScheduler, latest_period, period_key, trigger_for

log = logging.getLogger(__name__)

# A job that fires a little late is still on time.
ON_TIME = timedelta(minutes=1)


def instance_id() -> str:
    """This process's name in the ledger's `claimed_by`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DigestRunner:
    """Decides, with the ledger, what is due and hands it to the Deliverer."""

    def __init__(
        self, config: Config, store: Callable[[], Store], ledger: Ledger, deliverer: Deliverer,
        clock: Clock = system_clock, changelog: ChangeLog | None = None,
    ) -> None:
        self.changelog = changelog
        self.config = config
        self.store = store
        self.ledger = ledger
        self.deliverer = deliverer
        self.clock = clock

    def composer(self, d: Digest, when: datetime, label: str = "") -> Composer:
        """Build each channel's document from the store now and what that channel was last sent."""
        store = self.store()
        log = self.changelog.entries() if self.changelog is not None else []
        cache: dict[str, tuple[Document, Snapshot]] = {}
        local = when.astimezone(ZoneInfo(d.timezone))
        title = f"Digest {d.id}: {local:%A %d %B %Y, %H:%M} ({d.timezone}){label}"

        def compose(since: Snapshot | None) -> tuple[Document, Snapshot]:
            key = since.model_dump_json() if since else ""
            if key not in cache:
                result, now = digest(store, d.topics, since, log)
                doc = compose_digest(result, title, positions=d.include.positions, changes=d.include.changes,
                                     flagged=d.include.flagged)
                cache[key] = (doc, now)
            return cache[key]

        return compose

    async def run_due(self, digest_id: str) -> list[Outcome]:
        """Send the digest's latest period to every channel still owed it, if it is within catch-up."""
        d = self.config.digests.get(digest_id)
        if d is None:
            return []
        now = self.clock()
        period = latest_period(trigger_for(d), now)
        if period is None:
            return []
        since = await asyncio.to_thread(self.ledger.schedule_since, d.id)
        if period < since - ON_TIME:
            return []
        key = period_key(period, d.timezone)
        channels = self.config.targets(d)
        if now - period > timedelta(minutes=d.catch_up_minutes) + ON_TIME:
            await self._missed(d, key, [c.address for c in channels])
            return []
        return await self.deliverer.fan_out(d.id, key, channels, self.composer(d, period),
                                            self.config.admin_channels())

    async def catch_up(self) -> dict[str, list[Outcome]]:
        """Run every digest's due period (at start-up and on each sweep), then close claims dead processes
        left on older periods; the ledger skips what is settled."""
        results = {d: await self.run_due(d) for d in sorted(self.config.digests)}
        await self.settle_stale()
        return results

    async def settle_stale(self) -> list[Outcome]:
        """Resolve every claim whose lease ran out; alert admins about those that did not land."""
        by_address = {c.address: c for c in self.config.channels.values()}
        outcomes: dict[tuple[str, str], list[Outcome]] = {}
        for row in await asyncio.to_thread(self.ledger.stale_claims):
            outcome = await self.deliverer.settle_stale(row, by_address.get(row.channel))
            if outcome is not None:
                outcomes.setdefault((row.digest_id, row.period_key), []).append(outcome)
        for (digest_id, period), done in outcomes.items():
            failed = [o for o in done if o.status == "failed"]
            if failed:
                await self.deliverer.alert(self.config.admin_channels(), failure_alert(digest_id, period, failed),
                                           key=alert_key("stale", digest_id, period))
        return [o for done in outcomes.values() for o in done]

    async def send_now(self, digest_id: str) -> list[Outcome]:
        """Post a digest now, outside its schedule, as a 'manual' period in the ledger (one per minute)."""
        d = self.config.digests[digest_id]
        now = self.clock()
        key = "manual " + period_key(now, d.timezone)
        return await self.deliverer.fan_out(d.id, key, self.config.targets(d), self.composer(d, now, " (sent by hand)"),
                                            self.config.admin_channels())

    async def preview(self, digest_id: str) -> Document:
        """The digest as its first channel would get it now, without posting or recording anything."""
        d = self.config.digests[digest_id]
        first = self.config.targets(d)[0]
        since = merge_snapshots(await asyncio.to_thread(self.ledger.sent_snapshots, first.address))
        return self.composer(d, self.clock(), " (preview)")(since)[0]

    async def _missed(self, d: Digest, key: str, channels: list[str]) -> None:
        recorded = [c for c in channels if await asyncio.to_thread(
            self.ledger.record_missed, d.id, c, key, self.deliverer.owner, "missed: the bot was down past catch-up")]
        if recorded:
            log.error("digest %s missed period %s for %d channel(s)", d.id, key, len(recorded))
            await self.deliverer.alert(self.config.admin_channels(), missed_alert(d.id, key, recorded, d.catch_up_minutes),
                                       key=alert_key("missed", d.id, key))


def build_digests(
    config: Config, store: Callable[[], Store], adapters: dict[str, Adapter], *, url: str | None = None,
    clock: Clock = system_clock, changelog: ChangeLog | None = None,
) -> tuple[DigestRunner, DigestScheduler]:
    """Wire the ledger ($DATABASE_URL or state/ SQLite), deliverer, runner and scheduler for the app."""
    ledger = Ledger(make_engine(url or database_url()), clock)
    runner = DigestRunner(config, store, ledger, Deliverer(ledger, adapters, owner=instance_id()), clock, changelog)
    return runner, DigestScheduler(runner.run_due, runner.catch_up)


async def start_digests(runner: DigestRunner, scheduler: DigestScheduler) -> None:
    """Build the jobs from config, start them, and send whatever the ledger says is still due (catch-up).

    The catch-up runs in the background: start-up does not wait for a slow platform, and shutdown
    waits for it like any other digest run.
    """
    scheduler.apply(runner.config)
    scheduler.start()
    scheduler.sweep_soon()


def reload_config(runner: DigestRunner, scheduler: DigestScheduler, config_dir: Path, topics: set[str]) -> list[Problem]:
    """Re-read config/ and rebuild the jobs; on errors keep the running config and return the problems."""
    config, problems = check_config(config_dir, topics)
    if config is None:
        for problem in problems:
            log.error("config not reloaded: %s", problem)
        return problems
    runner.config = config
    scheduler.apply(config)
    return []


async def watch_config(runner: DigestRunner, scheduler: DigestScheduler, config_dir: Path,
                       topics: Callable[[], set[str]]) -> None:
    """Reload config/ whenever a file in it changes (run as a task; cancel to stop)."""
    from watchfiles import awatch

    async for _ in awatch(config_dir):
        reload_config(runner, scheduler, config_dir, topics())


class DigestAdmin:
    """What the admin commands see of the digests: next runs, last deliveries, send now."""

    def __init__(self, runner: DigestRunner) -> None:
        self.runner = runner

    def next_digests(self) -> list[DigestInfo]:
        """The next run of each digest, per channel."""
        from bot.digests.schedule import next_period

        now = self.runner.clock()
        out = []
        for d in sorted(self.runner.config.digests.values(), key=lambda d: d.id):
            at = next_period(trigger_for(d), now)
            out += [DigestInfo(c.platform.value, c.id, at, detail=d.id) for c in self.runner.config.targets(d)]
        return out

    def last_deliveries(self) -> list[DigestInfo]:
        """The latest delivery row of each channel."""
        from bot.digests.ledger import latest_per_channel

        rows = latest_per_channel(self.runner.ledger)
        return [DigestInfo(r.channel.split(":", 1)[0], r.channel.split(":", 1)[-1], r.updated_at,
                           ok=r.status == "posted", detail=f"{r.digest_id} {r.period_key}: {r.status}"
                           + (f" ({r.error})" if r.error else "")) for r in rows]

    async def send_now(self, digest_id: str | None) -> list[DigestInfo]:
        """Send one digest (or every digest) now, through the ledger."""
        wanted = [digest_id] if digest_id else sorted(self.runner.config.digests)
        out = []
        for d in wanted:
            if d not in self.runner.config.digests:
                out.append(DigestInfo("-", d, None, ok=False, detail="no such digest in config/digests.yaml"))
                continue
            for o in await self.runner.send_now(d):
                out.append(DigestInfo(o.channel.split(":", 1)[0], o.channel.split(":", 1)[-1], self.runner.clock(),
                                      ok=o.status in ("posted", "recovered", "skipped"), detail=f"{d}: {o.status}"))
        return out
