"""A clock the test sets and advances by hand."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Returns the time it was set to; `advance` moves it on."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        """Jump to `at` (aware)."""
        self.now = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move time on by `delta`."""
        self.now += delta
