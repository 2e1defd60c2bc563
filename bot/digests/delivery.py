"""Fanning a digest out to channels through the ledger: paced, retried with backoff, failures reported to admins."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.adapters.base import Adapter, PostError, Receipt
from bot.core.config import Channel
from bot.core.digest import Snapshot
from bot.core.document import Document, Item, Section, bold, plain
from bot.digests.ledger import Claim, Ledger, Row
from bot.digests.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Composer = Callable[[Snapshot | None], tuple[Document, Snapshot]]
Sleep = Callable[[float], Awaitable[None]]


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
    """How one channel's delivery ended in this run."""

    channel: str
    status: Literal["posted", "recovered", "skipped", "failed", "lost-claim"]
    attempts: int = 0
    message_ids: list[str] = field(default_factory=list)
    error: str | None = None


class Deliverer:
    """Sends a digest to many channels, each exactly once per period as the ledger decides."""

    def __init__(
        self, ledger: Ledger, adapters: Mapping[str, Adapter], *, owner: str,
        limiter: RateLimiter | None = None, policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep, concurrency: int = 64,
        on_outcome: Callable[[str, Outcome], None] | None = None,
    ) -> None:
        self.on_outcome = on_outcome
        self.ledger = ledger
        self.adapters = adapters
        self.owner = owner
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.policy = policy
        self.sleep = sleep
        self._gate = asyncio.Semaphore(concurrency)

    async def fan_out(
        self, digest_id: str, period_key: str, channels: list[Channel], compose: Composer,
        admin_channels: Sequence[Channel] = (),
    ) -> list[Outcome]:
        """Deliver one period to every channel not yet settled; alert admins about final failures."""
        settled = await asyncio.to_thread(self.ledger.settled, digest_id, period_key)
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
        """Claim, then post (or find the post a dead process made), then record."""
        claim = await asyncio.to_thread(self.ledger.claim, digest_id, channel.address, period_key, self.owner)
        if claim.state == "skip":
            return Outcome(channel.address, "skipped", claim.row.attempts)
        adapter = self.adapters.get(channel.platform.value)
        if adapter is None:
            return await self._fail(claim, channel, f"no adapter for platform {channel.platform.value}")
        if claim.state == "took_over" or claim.row.attempts:
            found = await self._find(adapter, channel, claim.row.key)
            if found is not None:
                return await self._posted(claim, channel, found, "recovered")
        since = await asyncio.to_thread(self.ledger.sent_snapshots, channel.address)
        doc, snapshot = compose(merge_snapshots(since))
        return await self._post(claim, channel, adapter, doc, snapshot)

    async def settle_stale(self, row: Row, channel: Channel | None) -> Outcome | None:
        """Close a claim a dead process left behind, for a period no longer due: recorded as posted if its
        post is found on the platform, else as failed (so admins hear of it), never left claimed."""
        claim = await asyncio.to_thread(self.ledger.claim, row.digest_id, row.channel, row.period_key, self.owner)
        if claim.state != "took_over":
            return None  # another instance took it, or it settled meanwhile
        adapter = self.adapters.get(channel.platform.value) if channel is not None else None
        if channel is not None and adapter is not None:
            found = await self._find(adapter, channel, claim.row.key)
            if found is not None:
                return await self._posted(claim, channel, found, "recovered", claim.row.attempts)
        reason = ("interrupted: the bot stopped while posting and came back after the catch-up window"
                  if channel is not None else "interrupted, and the channel is no longer in config/channels.yaml")
        await asyncio.to_thread(self.ledger.mark_failed, claim.row.id, self.owner, reason)
        log.error("digest %s to %s for %s: %s", row.digest_id, row.channel, row.period_key, reason)
        return Outcome(row.channel, "failed", claim.row.attempts, error=reason)

    async def _post(self, claim: Claim, channel: Channel, adapter: Adapter, doc: Document, snapshot: Snapshot) -> Outcome:
        row = claim.row
        for attempt in range(1, self.policy.attempts + 1):
            await self.limiter.acquire(channel.platform.value, channel.channel_id)
            if not await asyncio.to_thread(self.ledger.start_attempt, row.id, self.owner, snapshot.model_dump_json()):
                return Outcome(channel.address, "lost-claim", attempt)
            try:
                receipt = await asyncio.wait_for(adapter.post(channel.channel_id, doc, key=row.key), self.policy.timeout)
            except Exception as exc:  # noqa: BLE001 (every failure is classified, logged and recorded)
                failure = classify(exc)
                log.warning("post to %s failed (attempt %d): %s", channel.address, attempt, failure.reason)
                if not failure.retryable or attempt == self.policy.attempts:
                    return await self._fail(claim, channel, failure.reason, attempt)
                await self.sleep(failure.retry_after if failure.retry_after is not None else self.policy.backoff(attempt))
                if failure.maybe_landed:
                    found = await self._find(adapter, channel, row.key)
                    if found is not None:
                        return await self._posted(claim, channel, found, "recovered", attempt)
                continue
            return await self._posted(claim, channel, receipt, "posted", attempt)
        raise AssertionError("unreachable: the last attempt returns")

    async def _find(self, adapter: Adapter, channel: Channel, key: str) -> Receipt | None:
        try:
            return await asyncio.wait_for(adapter.find_post(channel.channel_id, key), self.policy.timeout)
        except Exception as exc:  # noqa: BLE001 (unknown: post again rather than skip silently)
            log.warning("could not look for an earlier post in %s: %s", channel.address, exc)
            return None

    async def _posted(self, claim: Claim, channel: Channel, receipt: Receipt, status: Literal["posted", "recovered"],
                      attempts: int = 0) -> Outcome:
        ok = await asyncio.to_thread(self.ledger.mark_posted, claim.row.id, self.owner, receipt.message_ids)
        if not ok:
            log.error("posted to %s but another instance took the claim over", channel.address)
            return Outcome(channel.address, "lost-claim", attempts, receipt.message_ids)
        return Outcome(channel.address, status, attempts, receipt.message_ids)

    async def _fail(self, claim: Claim, channel: Channel, reason: str, attempts: int = 0) -> Outcome:
        await asyncio.to_thread(self.ledger.mark_failed, claim.row.id, self.owner, reason)
        log.error("digest %s to %s failed for good: %s", claim.row.digest_id, channel.address, reason)
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
