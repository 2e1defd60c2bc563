"""Running digests: which period is due, composing each channel's digest, and sending it through the ledger."""
from __future__ import annotations

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
from bot.core.errors import BriefbotError
from bot.digests.delivery import (
    Composer, Deliverer, LedgerUnavailable, Outcome, alert_key, failure_alert, merge_snapshots, missed_alert,
)
from bot.digests.ledger import DEFAULT_LEASE, Ledger, database_url, make_engine
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
        try:
            since = await self.deliverer.db(self.ledger.schedule_since, d.id)
        except LedgerUnavailable as exc:
            log.error("digest %s not run: %s", d.id, exc)
            return []
        if period < since - ON_TIME:
            return []
        key = period_key(period, d.timezone)
        channels = self.config.targets(d)
        if not still_due(d, period, now):
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
        """Resolve every claim whose lease ran out: one whose period is still due is taken over and finished;
        one past its catch-up window is settled (posted if found, else failed, and admins are told)."""
        by_address = {c.address: c for c in self.config.channels.values()}
        outcomes: dict[tuple[str, str], list[Outcome]] = {}
        try:
            stale = await self.deliverer.db(self.ledger.stale_claims)
        except LedgerUnavailable as exc:
            log.error("stale claims not looked at: %s", exc)
            return []
        now = self.clock()
        for row in stale:
            d, channel = self.config.digests.get(row.digest_id), by_address.get(row.channel)
            when = period_time(row.period_key)
            if d is not None and channel is not None and when is not None and still_due(d, when, now):
                label = " (sent by hand)" if row.period_key.startswith("manual ") else ""
                finished = await self.deliverer.deliver(d.id, row.period_key, channel, self.composer(d, when, label))
                outcome: Outcome | None = None if finished.status == "skipped" else finished
            else:
                outcome = await self.deliverer.settle_stale(row, channel)
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
        since = merge_snapshots(await self.deliverer.db(self.ledger.sent_snapshots, first.address))
        return self.composer(d, self.clock(), " (preview)")(since)[0]

    async def _missed(self, d: Digest, key: str, channels: list[str]) -> None:
        try:
            settled = await self.deliverer.db(self.ledger.settled, d.id, key)
            recorded = [c for c in channels if c not in settled and await self.deliverer.db(
                self.ledger.record_missed, d.id, c, key, self.deliverer.owner, "missed: the bot was down past catch-up")]
        except LedgerUnavailable as exc:
            log.error("missed period %s of %s not recorded yet: %s", key, d.id, exc)
            return
        if recorded:
            log.error("digest %s missed period %s for %d channel(s)", d.id, key, len(recorded))
            await self.deliverer.alert(self.config.admin_channels(), missed_alert(d.id, key, recorded, d.catch_up_minutes),
                                       key=alert_key("missed", d.id, key))


def still_due(d: Digest, period: datetime, now: datetime) -> bool:
    """True while a period is within its digest's catch-up window (it is still to be sent, not missed)."""
    return now - period <= timedelta(minutes=d.catch_up_minutes) + ON_TIME


def period_time(key: str) -> datetime | None:
    """The moment a ledger period key names ('2025-03-30T08:00 Europe/Paris', or 'manual …')."""
    local, _, zone = key.removeprefix("manual ").partition(" ")
    try:
        return datetime.strptime(local, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo(zone))
    except (ValueError, KeyError):
        return None


def lease_from_env() -> timedelta:
    """The claim lease: DIGEST_LEASE_SECONDS (default 20); a crashed instance's claims wait this long."""
    raw = os.environ.get("DIGEST_LEASE_SECONDS", "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_LEASE.total_seconds()
    except ValueError:
        raise BriefbotError(f"DIGEST_LEASE_SECONDS must be a number of seconds, not {raw[:20]!r}.") from None
    if not 1.0 <= seconds <= 600.0:
        raise BriefbotError("DIGEST_LEASE_SECONDS must be between 1 and 600.")
    return timedelta(seconds=seconds)


def build_digests(
    config: Config, store: Callable[[], Store], adapters: dict[str, Adapter], *, url: str | None = None,
    clock: Clock = system_clock, changelog: ChangeLog | None = None,
) -> tuple[DigestRunner, DigestScheduler]:
    """Wire the ledger ($DATABASE_URL or state/ SQLite), deliverer, runner and scheduler for the app.

    The sweep (catch-up, takeover of dead claims) and the ledger watch (heartbeat, write probe) run every
    quarter lease, so a crashed instance's deliveries are finished within about 1.25 leases.
    """
    lease = lease_from_env()
    ledger = Ledger(make_engine(url or database_url()), clock, lease)
    deliverer = Deliverer(ledger, adapters, owner=instance_id())
    runner = DigestRunner(config, store, ledger, deliverer, clock, changelog)
    deliverer.admins = lambda: runner.config.admin_channels()
    tick = max(1.0, lease.total_seconds() / 4)
    return runner, DigestScheduler(runner.run_due, runner.catch_up, sweep_seconds=tick,
                                   watch=deliverer.watch, watch_seconds=tick)


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
