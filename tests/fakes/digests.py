"""A stand-in for the scheduler's digest control, recording what admins asked for."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.status import DigestInfo


@dataclass
class FakeDigests:
    """Two scheduled channels; `send_now` records the request and reports a delivery."""

    scheduled: list[DigestInfo] = field(default_factory=lambda: [
        DigestInfo("slack", "C-news", datetime(2025, 3, 3, 9, 0, tzinfo=UTC)),
        DigestInfo("discord", "1234", datetime(2025, 3, 3, 17, 30, tzinfo=UTC)),
    ])
    delivered: list[DigestInfo] = field(default_factory=list)
    requests: list[str | None] = field(default_factory=list)

    def next_digests(self) -> list[DigestInfo]:
        return list(self.scheduled)

    def last_deliveries(self) -> list[DigestInfo]:
        return list(self.delivered)

    async def send_now(self, channel: str | None) -> list[DigestInfo]:
        self.requests.append(channel)
        sent = [DigestInfo(d.platform, d.channel, datetime(2025, 3, 2, 12, 0, tzinfo=UTC))
                for d in self.scheduled if channel in (None, d.channel)]
        self.delivered += sent
        return sent
