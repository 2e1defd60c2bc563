"""Fanning a digest out to channels through the ledger: paced, retried with backoff, failures reported to admins."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlalchemy import exc as sa_exc

from bot.adapters.base import Adapter, PostError, Receipt
from bot.core.config import Channel
from bot.core.digest import Snapshot
from bot.core.document import Document, Item, Section, bold, plain
from bot.digests.ledger import Claim, Ledger, LedgerBroken, Row
from bot.digests.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Composer = Callable[[Snapshot | None], tuple[Document, Snapshot]]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a post is retried."""

    attempts: int = 5
    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    timeout: float = 30.0
    jitter: float = 0.1

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based), when the platform gave no Retry-After."""
        delay = min(self.cap, self.base * self.factor ** (attempt - 1))
        return delay * (1.0 + self.jitter * random.random())


@dataclass(frozen=True)
class Failure:
    """What an exception from an adapter means for delivery."""

    retryable: bool
    retry_after: float | None
    maybe_landed: bool
    reason: str


def classify(exc: BaseException) -> Failure:
    """Sort a post failure: rate limit, server or transport error (retry) or a refusal (give up)."""
    reason = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, PostError):
        return Failure(exc.retryable, exc.retry_after, exc.landed, reason)
    if isinstance(exc, TimeoutError | ConnectionError):
        return Failure(True, None, True, reason)
    status = _status_of(exc)
    if status is None:
        transport = type(exc).__module__.startswith("aiohttp")
        return Failure(transport, None, transport, reason)
    return Failure(status == 429 or status >= 500, _retry_after_of(exc), status >= 500, reason)


def _status_of(exc: BaseException) -> int | None:
    # discord.HTTPException has .status; slack_sdk's SlackApiError has .response.status_code.
    for owner in (exc, getattr(exc, "response", None)):
        for name in ("status", "status_code"):
            value = getattr(owner, name, None)
            if isinstance(value, int):
                return value
    return None


def _retry_after_of(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    if value is None:
        headers = getattr(getattr(exc, "response", None), "headers", None) or {}
        value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Outcome:
    """How one channel's delivery ended in this run ('paused': the ledger could not be written for too long,
    the claim stays and a later sweep resumes it; nothing is lost)."""

    channel: str
    status: Literal["posted", "recovered", "skipped", "failed", "lost-claim", "paused"]
    attempts: int = 0
    message_ids: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class LedgerPolicy:
    """How long delivery waits for a ledger that cannot be written before pausing, and when admins hear."""

    patience: float = 60.0
    base: float = 0.2
    cap: float = 5.0
    alert_after: float = 3.0


class LedgerUnavailable(Exception):
    """The ledger stayed unwritable past `LedgerPolicy.patience`: this delivery pauses."""


class LostClaim(Exception):
    """Another instance holds the claim now (ours ran out while the ledger was unreachable)."""


# The database errors worth waiting out: a server gone or restarting, a file unreadable or read-only, a lock.
_TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, LedgerBroken)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, _TRANSIENT):
        return True
    return isinstance(exc, sa_exc.DatabaseError) and not isinstance(
        exc, sa_exc.IntegrityError | sa_exc.ProgrammingError | sa_exc.DataError)


_BROKEN_FILE = ("is gone", "readonly", "read-only", "not a database", "unable to open", "malformed", "no such table",
                "disk i/o")


def _broken_file(reason: str) -> bool:
    return any(sign in reason.lower() for sign in _BROKEN_FILE)


@dataclass
class LedgerHealth:
    """Whether the ledger could be written lately, and why not."""

    ok: bool = True
    reason: str = ""
    since: float = 0.0
    alerted: bool = False


class Deliverer:
    """Sends a digest to many channels, each exactly once per period as the ledger decides.

    Every retry of a post happens here (the adapters never re-send): 429s wait what the platform asked,
    and after a 5xx, a timeout or a broken connection `find_post` is asked which pages landed before
    posting the rest. Each page is recorded as it lands.
    """

    def __init__(
        self, ledger: Ledger, adapters: Mapping[str, Adapter], *, owner: str,
        limiter: RateLimiter | None = None, policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep, concurrency: int = 64,
        on_outcome: Callable[[str, Outcome], None] | None = None,
        ledger_policy: LedgerPolicy = LedgerPolicy(),
        admins: Callable[[], Sequence[Channel]] = tuple,
    ) -> None:
        self.on_outcome = on_outcome
        self.ledger = ledger
        self.adapters = adapters
        self.owner = owner
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.policy = policy
        self.ledger_policy = ledger_policy
        self.admins = admins
        self.sleep = sleep
        self.health = LedgerHealth()
        self._gate = asyncio.Semaphore(concurrency)
        self._active = 0
        self._heartbeat: asyncio.Task[None] | None = None
        self._inflight: set[int] = set()  # rows this process is delivering now (a sweep and a job may overlap)

    @property
    def page_budget(self) -> float:
        """Longest a page may be under way: well inside the lease, so a page still in flight when the lease
        runs out (and another instance may take over) cannot exist."""
        return min(self.policy.timeout, self.ledger.lease.total_seconds() / 2)

    # --- the ledger, waited out when it goes away -------------------------------------------------

    async def db(self, fn: Callable[..., T], *args: object) -> T:
        """Run a ledger operation in a thread; while the database is unreachable or unwritable, retry with
        bounded backoff (admins are told once), then raise LedgerUnavailable."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        delay = self.ledger_policy.base
        while True:
            try:
                result = await asyncio.to_thread(fn, *args)
            except Exception as exc:
                if not _transient(exc):
                    raise
                await self._ledger_failed(exc)
                if loop.time() - started + delay > self.ledger_policy.patience:
                    raise LedgerUnavailable(self.health.reason) from exc
                await asyncio.sleep(delay)
                delay = min(self.ledger_policy.cap, delay * 2)
                continue
            await self._ledger_ok()
            return result

    async def _ledger_failed(self, exc: BaseException) -> None:
        now = asyncio.get_running_loop().time()
        reason = ledger_reason(exc)
        if self.health.ok:
            self.health = LedgerHealth(ok=False, reason=reason, since=now)
            log.error("digest ledger cannot be written: %s; delivery waits for it", reason)
        self.health.reason = reason
        # A server may be restarting (give it a moment); a ledger file gone, read-only or corrupted will not mend.
        patient = now - self.health.since < self.ledger_policy.alert_after and not _broken_file(reason)
        if not self.health.alerted and not patient:
            self.health.alerted = True
            await self.alert(self.admins(), ledger_alert(reason), key=alert_key("ledger-down", self.owner, self.health.since))

    async def _ledger_ok(self) -> None:
        if self.health.ok:
            return
        was = self.health
        self.health = LedgerHealth()
        log.warning("digest ledger is writable again (was: %s); delivery resumes", was.reason)
        if was.alerted:
            await self.alert(self.admins(), ledger_back_alert(was.reason), key=alert_key("ledger-up", self.owner, was.since))

    async def watch(self) -> None:
        """One tick of the ledger watch: renew this instance's leases and probe that the ledger is writable
        (so a broken ledger is noticed, and admins told, even when nothing is being sent)."""
        try:
            await asyncio.to_thread(self.ledger.heartbeat, self.owner)
            await asyncio.to_thread(self.ledger.probe, self.owner)
        except Exception as exc:
            if not _transient(exc):
                raise
            await self._ledger_failed(exc)
            return
        await self._ledger_ok()

    async def _beat(self) -> None:
        """Renew this instance's leases while it has deliveries in flight."""
        interval = self.ledger.lease.total_seconds() / 4
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.ledger.heartbeat, self.owner)
            except Exception as exc:  # noqa: BLE001 (the next fenced write notices; the lease covers a gap)
                (log.warning if self.health.ok else log.debug)("ledger heartbeat failed: %s", ledger_reason(exc))

    # --- fan-out ------------------------------------------------------------------------------------

    async def fan_out(
        self, digest_id: str, period_key: str, channels: list[Channel], compose: Composer,
        admin_channels: Sequence[Channel] = (),
    ) -> list[Outcome]:
        """Deliver one period to every channel not yet settled; alert admins about final failures."""
        try:
            settled = await self.db(self.ledger.settled, digest_id, period_key)
        except LedgerUnavailable as exc:
            log.error("digest %s for %s paused: %s", digest_id, period_key, exc)
            return [Outcome(c.address, "paused", error=str(exc)) for c in channels]
        todo = [c for c in channels if c.address not in settled]
        outcomes = await asyncio.gather(*(self._gated(digest_id, period_key, c, compose) for c in todo))
        if self.on_outcome is not None:
            for channel, outcome in zip(todo, outcomes, strict=True):
                self.on_outcome(channel.platform.value, outcome)
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            await self.alert(admin_channels, failure_alert(digest_id, period_key, failed),
                             key=alert_key(digest_id, period_key, len(failed)))
        return list(outcomes)

    async def _gated(self, digest_id: str, period_key: str, channel: Channel, compose: Composer) -> Outcome:
        async with self._gate:
            return await self.deliver(digest_id, period_key, channel, compose)

    async def deliver(self, digest_id: str, period_key: str, channel: Channel, compose: Composer) -> Outcome:
        """Claim, then post the pages that have not landed (asking the platform first when an earlier attempt
        or a dead process may have posted some), recording each page as it lands."""
        self._active += 1
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.ensure_future(self._beat())
        try:
            claim = await self.db(self.ledger.claim, digest_id, channel.address, period_key, self.owner)
            if claim.state == "skip" or claim.row.id in self._inflight:
                return Outcome(channel.address, "skipped", claim.row.attempts)
            self._inflight.add(claim.row.id)
            try:
                adapter = self.adapters.get(channel.platform.value)
                if adapter is None:
                    return await self._fail(claim.row, channel, f"no adapter for platform {channel.platform.value}")
                return await self._send(claim, channel, adapter, compose)
            finally:
                self._inflight.discard(claim.row.id)
        except LedgerUnavailable as exc:
            log.error("digest %s to %s paused, the ledger cannot be written: %s", digest_id, channel.address, exc)
            return Outcome(channel.address, "paused", error=str(exc))
        except LostClaim:
            log.warning("digest %s to %s: another instance took the claim over", digest_id, channel.address)
            return Outcome(channel.address, "lost-claim")
        finally:
            self._active -= 1
            if not self._active and self._heartbeat is not None:
                self._heartbeat.cancel()
                self._heartbeat = None

    async def _send(self, claim: Claim, channel: Channel, adapter: Adapter, compose: Composer) -> Outcome:
        row = claim.row
        state = _Progress(list(row.message_ids), row.pages)
        snapshot: str | None = None
        if row.document is not None:  # a resumed delivery sends the very document it started with
            doc, document = Document.model_validate_json(row.document), None
        else:
            since = await self.db(self.ledger.sent_snapshots, channel.address)
            doc, snap = compose(merge_snapshots(since))
            snapshot, document = snap.model_dump_json(), doc.model_dump_json()
        look = claim.state != "won" or row.attempts > 0 or bool(state.ids)
        for attempt in range(1, self.policy.attempts + 1):
            if look:
                await self._look(adapter, channel, row, state)
                if state.complete:
                    return await self._posted(row, channel, state.ids, "recovered", attempt - 1)
            await self.limiter.acquire(channel.platform.value, channel.channel_id)
            if not await self.db(self.ledger.start_attempt, row.id, self.owner, snapshot, document):
                raise LostClaim()
            snapshot = document = None
            try:
                await self._post_pages(adapter, channel, row, doc, state)
            except (LostClaim, LedgerUnavailable):
                raise
            except Exception as exc:  # noqa: BLE001 (every failure is classified, logged and recorded)
                failure = classify(exc)
                log.warning("post to %s failed (attempt %d, %d page(s) landed): %s", channel.address, attempt,
                            len(state.ids), failure.reason)
                if not failure.retryable or attempt == self.policy.attempts:
                    if failure.maybe_landed:
                        await self._look(adapter, channel, row, state)
                        if state.complete:
                            return await self._posted(row, channel, state.ids, "recovered", attempt)
                    return await self._fail(row, channel, failure.reason, attempt)
                await self.sleep(failure.retry_after if failure.retry_after is not None else self.policy.backoff(attempt))
                look = failure.maybe_landed
                continue
            return await self._posted(row, channel, state.ids, "posted", attempt)
        raise AssertionError("unreachable: the last attempt returns")

    async def _post_pages(self, adapter: Adapter, channel: Channel, row: Row, doc: Document, state: _Progress) -> None:
        """Post the pages not yet landed, recording each one; no page may be under way past `page_budget`."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(self.page_budget) as watchdog:

            async def landed(index: int, pages: int, message_id: str) -> None:
                watchdog.reschedule(None)  # waiting for the ledger is not the page's time
                state.ids = state.ids[:index] + [message_id]
                state.pages = pages
                if not await self.db(self.ledger.record_pages, row.id, self.owner, list(state.ids), pages):
                    raise LostClaim()
                watchdog.reschedule(loop.time() + self.page_budget)

            receipt = await adapter.post(channel.channel_id, doc, key=row.key, first_page=len(state.ids),
                                         on_page=landed)
        state.pages = receipt.pages if receipt.pages is not None else len(state.ids)

    async def _look(self, adapter: Adapter, channel: Channel, row: Row, state: _Progress) -> None:
        """Ask the platform which pages landed; keep what it shows beyond what the ledger knows."""
        found = await self._find(adapter, channel, row, state.pages)
        if found is None:
            return
        if len(found.message_ids) > len(state.ids):
            state.ids = list(found.message_ids)
            await self.db(self.ledger.record_pages, row.id, self.owner, list(state.ids), found.pages or state.pages)
        if found.pages:
            state.pages = found.pages
        elif found.complete and state.pages is None:
            state.pages = len(found.message_ids)

    async def settle_stale(self, row: Row, channel: Channel | None) -> Outcome | None:
        """Close a claim a dead process left behind, for a period no longer due: recorded as posted if every
        page is found on the platform, else as failed (so admins hear of it), never left claimed."""
        try:
            claim = await self.db(self.ledger.claim, row.digest_id, row.channel, row.period_key, self.owner)
            if claim.state not in ("took_over", "mine") or claim.row.id in self._inflight:
                return None  # another instance or run took it, or it settled meanwhile
            adapter = self.adapters.get(channel.platform.value) if channel is not None else None
            state = _Progress(list(claim.row.message_ids), claim.row.pages)
            if channel is not None and adapter is not None:
                await self._look(adapter, channel, claim.row, state)
                if state.complete:
                    return await self._posted(claim.row, channel, state.ids, "recovered", claim.row.attempts)
            reason = ("interrupted: the bot stopped while posting and came back after the catch-up window"
                      if channel is not None else "interrupted, and the channel is no longer in config/channels.yaml")
            if state.ids:
                reason += f" ({len(state.ids)} of {state.pages or '?'} pages had been posted)"
            await self.db(self.ledger.mark_failed, claim.row.id, self.owner, reason)
        except LedgerUnavailable as exc:
            return Outcome(row.channel, "paused", error=str(exc))
        log.error("digest %s to %s for %s: %s", row.digest_id, row.channel, row.period_key, reason)
        return Outcome(row.channel, "failed", claim.row.attempts, error=reason)

    async def _find(self, adapter: Adapter, channel: Channel, row: Row, pages: int | None) -> Receipt | None:
        try:
            return await asyncio.wait_for(adapter.find_post(channel.channel_id, row.key, since=row.claimed_at,
                                                            pages=pages), self.policy.timeout)
        except Exception as exc:  # noqa: BLE001 (unknown: post again rather than skip silently)
            log.warning("could not look for an earlier post in %s: %s", channel.address, exc)
            return None

    async def _posted(self, row: Row, channel: Channel, ids: list[str], status: Literal["posted", "recovered"],
                      attempts: int = 0) -> Outcome:
        if not await self.db(self.ledger.mark_posted, row.id, self.owner, ids):
            log.error("posted to %s but another instance took the claim over", channel.address)
            return Outcome(channel.address, "lost-claim", attempts, ids)
        return Outcome(channel.address, status, attempts, ids)

    async def _fail(self, row: Row, channel: Channel, reason: str, attempts: int = 0) -> Outcome:
        await self.db(self.ledger.mark_failed, row.id, self.owner, reason)
        log.error("digest %s to %s failed for good: %s", row.digest_id, channel.address, reason)
        return Outcome(channel.address, "failed", attempts, error=reason)

    async def alert(self, admin_channels: Sequence[Channel], doc: Document, *, key: str) -> int:
        """Post an alert to every admin channel (one try each, never raising); the number that got it."""
        delivered = 0
        for channel in admin_channels:
            adapter = self.adapters.get(channel.platform.value)
            if adapter is None:
                continue
            try:
                await self.limiter.acquire(channel.platform.value, channel.channel_id)
                await asyncio.wait_for(adapter.post(channel.channel_id, doc, key=key), self.policy.timeout)
                delivered += 1
            except Exception as exc:  # noqa: BLE001 (the failure itself is already recorded and logged)
                log.error("could not alert admins in %s: %s", channel.address, exc)
        if not admin_channels:
            log.error("no admin channel configured for alert: %s", doc.title)
        return delivered


@dataclass
class _Progress:
    """The pages of one delivery known to have landed, and how many it has (once known)."""

    ids: list[str]
    pages: int | None

    @property
    def complete(self) -> bool:
        return self.pages is not None and len(self.ids) >= self.pages


def ledger_reason(exc: BaseException) -> str:
    """A one-line reason a ledger operation failed (the driver's first line, never a password)."""
    if isinstance(exc, LedgerBroken):
        return str(exc)
    inner = getattr(exc, "orig", None) or exc
    first = (str(inner).strip().splitlines() or [type(inner).__name__])[0]
    return f"{type(inner).__name__}: {first}"[:300]


def ledger_alert(reason: str) -> Document:
    """The admins' alert when the ledger cannot be written."""
    text = (f"The digest ledger cannot be written ({reason}). Digest delivery is paused: nothing is posted "
            "that could not be recorded. It resumes by itself when the ledger is back; /readyz says why meanwhile.")
    return Document(title="Digest ledger unavailable", summary=[plain(text)], tone="error")


def ledger_back_alert(reason: str) -> Document:
    """The admins' notice that the ledger is writable again."""
    return Document(title="Digest ledger back", summary=[plain(
        f"The digest ledger can be written again (it failed with: {reason}). Paused deliveries resume.")])


def merge_snapshots(stored: list[str]) -> Snapshot | None:
    """What a channel was last sent, topic by topic, from its stored snapshots (newest first)."""
    merged: Snapshot | None = None
    for blob in stored:
        snap = Snapshot.model_validate_json(blob)
        merged = snap if merged is None else merged.merged(snap)
    return merged


def failure_alert(digest_id: str, period_key: str, failed: list[Outcome]) -> Document:
    """The admins' alert for channels a digest could not reach."""
    items = [Item(badge="❗", head=[bold(o.channel)], body=[[plain(o.error or "unknown error")]],
                  note=[plain(f"{o.attempts} attempt(s)")]) for o in failed[:25]]
    more = len(failed) - len(items)
    summary = f"{len(failed)} channel(s) did not get digest {digest_id} for {period_key}."
    if more:
        summary += f" {more} more are not listed."
    return Document(title="Digest delivery failed", summary=[plain(summary)],
                    sections=[Section(title="Failed channels", blocks=items)], tone="error")


def missed_alert(digest_id: str, period_key: str, channels: list[str], grace_minutes: int) -> Document:
    """The admins' alert for a period missed beyond its catch-up window."""
    text = (f"Digest {digest_id} for {period_key} was not sent to {len(channels)} channel(s): the bot was down "
            f"longer than its catch-up window of {grace_minutes} minutes. It will go out at the next period.")
    return Document(title="Digest missed", summary=[plain(text)], tone="error")


def alert_key(*parts: object) -> str:
    """An idempotency key for an alert about one event."""
    return "a" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:23]
