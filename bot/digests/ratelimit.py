"""Pacing posts under each platform's documented rate limits: per channel and platform-wide."""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    """A platform's posting limits: `per_channel` posts per `window` seconds, and `rate` per second overall."""

    per_channel: int | None
    window: float
    rate: float | None
    burst: int = 1


# Discord: 5 messages per 5 s per channel, 50 requests per second per bot (global).
# Slack chat.postMessage: about 1 message per second per channel, short bursts allowed, and a
# workspace-wide limit of "several hundred messages per minute" (we keep to 5 per second).
# No burst overall: a burst on top of the steady rate would break a one-second window at the start.
PLATFORM_LIMITS: dict[str, Limit] = {
    "discord": Limit(per_channel=5, window=5.0, rate=50.0),
    "slack": Limit(per_channel=1, window=1.0, rate=5.0),
    "console": Limit(per_channel=None, window=0.0, rate=None),
}


@dataclass
class _Bucket:
    limit: Limit
    tat: float = 0.0
    recent: dict[str, deque[float]] = field(default_factory=dict)


class RateLimiter:
    """Hands out send times that keep every platform within its limits (GCRA overall, sliding window per channel)."""

    def __init__(
        self, limits: dict[str, Limit] | None = None, *, margin: float = 0.05,
        monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or PLATFORM_LIMITS
        self.margin = margin
        self.monotonic = monotonic
        self.sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    async def acquire(self, platform: str, channel: str) -> None:
        """Wait until one more post to `channel` on `platform` is within the limits."""
        at = self.reserve(platform, channel)
        delay = at - self.monotonic()
        if delay > 0:
            await self.sleep(delay)

    def reserve(self, platform: str, channel: str) -> float:
        """Book the earliest allowed send time (no await between reading and booking, so no races)."""
        limit = self.limits.get(platform)
        if limit is None:
            return self.monotonic()
        bucket = self._buckets.setdefault(platform, _Bucket(limit))
        now = self.monotonic()
        at = now
        interval = 0.0
        if limit.rate:
            interval = (1.0 + self.margin) / limit.rate
            at = max(at, bucket.tat - (limit.burst - 1) * interval)
        sent = bucket.recent.setdefault(channel, deque()) if limit.per_channel else None
        if sent is not None and limit.per_channel is not None:
            while sent and sent[0] <= now - limit.window * (1.0 + self.margin):
                sent.popleft()
            if len(sent) >= limit.per_channel:
                at = max(at, sent[-limit.per_channel] + limit.window * (1.0 + self.margin))
            sent.append(at)
        if limit.rate:
            bucket.tat = max(bucket.tat, at) + interval
        return at
