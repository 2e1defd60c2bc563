"""When digests are due: cron triggers from config, APScheduler 3 jobs rebuilt from it, and the period math."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.config import Config, Digest

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
SWEEP_JOB = "digest-sweep"
WATCH_JOB = "ledger-watch"
# Look back this far for the latest period; the first window holding a fire time is walked through.
_WINDOWS = (timedelta(hours=2), timedelta(days=2), timedelta(days=9), timedelta(days=400))


def trigger_for(digest: Digest) -> CronTrigger:
    """The digest's schedule as a cron trigger in its own time zone (DST handled by the trigger)."""
    zone = ZoneInfo(digest.timezone)
    schedule = digest.schedule
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone=zone)
    assert schedule.time is not None
    hour, minute = (int(part) for part in schedule.time.split(":"))
    days = ",".join(d.value for d in schedule.weekdays) if schedule.weekdays else "*"
    return CronTrigger(hour=hour, minute=minute, day_of_week=days, timezone=zone)


def latest_period(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest scheduled time at or before `now` (APScheduler 3 has no 'previous fire time')."""
    now = now.astimezone(UTC)  # wall-clock arithmetic on a folded local time would lose the fold
    for window in _WINDOWS:
        start = now - window
        at = trigger.get_next_fire_time(None, start)
        if at is None or at > now:
            continue
        latest = at
        while at is not None and at <= now:
            latest = at
            at = trigger.get_next_fire_time(at, at.astimezone(UTC) + timedelta(microseconds=1))
            if at is not None and at <= latest:
                break
        return latest
    return None


def next_period(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first scheduled time strictly after `after`."""
    return trigger.get_next_fire_time(None, after.astimezone(UTC) + timedelta(microseconds=1))


def period_key(at: datetime, timezone: str) -> str:
    """The ledger's name for a period: its local wall-clock time and zone.

    Local, not UTC, on purpose: when clocks go back, 01:30 happens twice and the trigger fires at both;
    both map to one key, so the ledger sends that day's digest once.
    """
    return f"{at.astimezone(ZoneInfo(timezone)):%Y-%m-%dT%H:%M} {timezone}"


class DigestScheduler:
    """APScheduler jobs built from config: one cron job per digest (stable id) and a sweep for what is left due."""

    def __init__(
        self, run_due: Callable[[str], Awaitable[object]], sweep: Callable[[], Awaitable[object]],
        *, sweep_seconds: float = 60.0, scheduler: AsyncIOScheduler | None = None,
        watch: Callable[[], Awaitable[object]] | None = None, watch_seconds: float = 5.0,
    ) -> None:
        self.run_due = run_due
        self.sweep = sweep
        self.sweep_seconds = sweep_seconds
        self.watch = watch
        self.watch_seconds = watch_seconds
        self.scheduler = scheduler or AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[object]] = set()

    def apply(self, config: Config) -> list[str]:
        """Make the jobs match `config` (add, replace, remove); the ids of the digest jobs now scheduled."""
        wanted = {JOB_PREFIX + d.id: d for d in config.digests.values()}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, digest in wanted.items():
            # The grace lets a job that fires a little late still run; catch-up after downtime is the ledger's.
            self.scheduler.add_job(
                self._tracked, trigger_for(digest), args=[self.run_due, digest.id], id=job_id, name=f"digest {digest.id}",
                replace_existing=True, coalesce=True, max_instances=3,
                misfire_grace_time=max(60, digest.catch_up_minutes * 60),
            )
        self.scheduler.add_job(self._tracked, IntervalTrigger(seconds=self.sweep_seconds), args=[self.sweep], id=SWEEP_JOB,
                               replace_existing=True, coalesce=True, max_instances=1)
        if self.watch is not None:
            self.scheduler.add_job(self._tracked, IntervalTrigger(seconds=self.watch_seconds), args=[self.watch],
                                   id=WATCH_JOB, replace_existing=True, coalesce=True, max_instances=1)
        log.info("digest jobs: %s", ", ".join(sorted(wanted)) or "none")
        return sorted(wanted)

    def start(self) -> None:
        """Start firing jobs (call inside the running event loop)."""
        if not self.scheduler.running:
            self.scheduler.start()

    async def _tracked(self, job: Callable[..., Awaitable[object]], *args: object) -> None:
        """Run a job as a task drain() can wait for (APScheduler's shutdown would cancel it mid-post)."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job(*args)
        finally:
            self._running.discard(task)  # type: ignore[arg-type]

    def sweep_soon(self) -> None:
        """Run the sweep now in the background (the start-up catch-up); drain() waits for it too."""
        task = asyncio.ensure_future(self._tracked(self._logged, self.sweep))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    @staticmethod
    async def _logged(job: Callable[[], Awaitable[object]]) -> None:
        try:
            await job()
        except Exception:  # APScheduler logs its own jobs' errors; this task has no one else to
            log.exception("digest catch-up failed")

    async def drain(self, timeout: float) -> bool:
        """Fire no more jobs and wait for runs in flight; False when some were still running at `timeout`."""
        if self.scheduler.running:
            self.scheduler.pause()
        pending = {t for t in self._running if not t.done()}
        if not pending:
            return True
        _, late = await asyncio.wait(pending, timeout=timeout)
        if late:
            log.warning("%d digest run(s) still in flight at shutdown; the ledger lease covers them", len(late))
        return not late

    def close(self) -> None:
        """Stop firing jobs; runs in flight are left to finish or be cancelled with the loop."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
