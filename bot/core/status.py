"""What the running bot tells its admins about digests: the ones to come and the ones delivered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class DigestInfo:
    """A digest to come or one delivered: where, when, and whether it went out."""

    platform: str
    channel: str
    at: datetime | None
    ok: bool = True
    detail: str = ""


class DigestControl(Protocol):
    """What the scheduler offers the admin commands."""

    def next_digests(self) -> list[DigestInfo]:
        """The next run of each scheduled digest."""
        ...

    def last_deliveries(self) -> list[DigestInfo]:
        """The latest delivery to each channel."""
        ...

    async def send_now(self, channel: str | None) -> list[DigestInfo]:
        """Send the digests now (one channel when given); the deliveries made."""
        ...
