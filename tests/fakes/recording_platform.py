"""A test double at the platform boundary: an Adapter that records posts and can be told to fail or die."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.base import PageHook, PostError, Receipt
from bot.core.document import Document


@dataclass(frozen=True)
class Post:
    """One message the 'platform' accepted."""

    channel: str
    key: str
    doc: Document
    message_id: str
    at: datetime | None


class RecordingPlatform:
    """Implements the Adapter Protocol; keeps every post like a platform's channel history would.

    `failures[channel]` is a list of exceptions raised by the next posts to that channel, in order
    (an entry of `("landed", exc)` records the post first, like a timeout after the platform accepted it).
    `die_after` makes the n-th accepted post hang forever after being recorded (a process dying between
    posting and recording); `on_death` is called then, so the test can cancel the whole run.
    """

    def __init__(self, name: str = "console", clock: Callable[[], datetime] | None = None) -> None:
        self.name = name
        self.clock = clock
        self.posts: list[Post] = []
        self.failures: dict[str, list[object]] = defaultdict(list)
        self.die_after: int | None = None
        self.on_death: Callable[[], None] | None = None
        self.find_calls: list[tuple[str, str]] = []

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to disconnect."""

    async def post(self, channel: str, doc: Document, *, key: str, first_page: int = 0,
                   on_page: PageHook | None = None) -> Receipt:
        """Record the post (one page), or fail as scripted."""
        if first_page > 0:
            return Receipt(self.name, channel, [], pages=1)
        planned = self.failures[channel].pop(0) if self.failures[channel] else None
        if isinstance(planned, tuple):
            self._record(channel, key, doc)
            raise planned[1]
        if isinstance(planned, BaseException):
            raise planned
        receipt = self._record(channel, key, doc)
        if self.die_after is not None and len(self.posts) == self.die_after:
            if self.on_death:
                self.on_death()
            await asyncio.Event().wait()
        if on_page is not None:
            await on_page(0, 1, receipt.message_ids[0])
        return receipt

    async def find_post(self, channel: str, key: str, *, since: datetime | None = None,
                        pages: int | None = None) -> Receipt | None:
        """The recorded post with that key in that channel."""
        self.find_calls.append((channel, key))
        for post in reversed(self.posts):
            if post.channel == channel and post.key == key:
                return Receipt(self.name, channel, [post.message_id], pages=1)
        return None

    def counts(self) -> dict[tuple[str, str], int]:
        """Posts per (channel, key)."""
        out: dict[tuple[str, str], int] = defaultdict(int)
        for post in self.posts:
            out[(post.channel, post.key)] += 1
        return dict(out)

    def in_channel(self, channel: str) -> list[Post]:
        """Posts made to one channel, in order."""
        return [p for p in self.posts if p.channel == channel]

    def _record(self, channel: str, key: str, doc: Document) -> Receipt:
        message_id = f"{channel}-{len(self.posts) + 1}"
        self.posts.append(Post(channel, key, doc, message_id, self.clock() if self.clock else None))
        return Receipt(self.name, channel, [message_id], pages=1)


def rate_limited(retry_after: float) -> PostError:
    """A 429 as an adapter reports it."""
    return PostError("429 Too Many Requests", status=429, retry_after=retry_after)


def server_error(status: int = 503) -> PostError:
    """A 5xx as an adapter reports it (the message may or may not exist)."""
    return PostError(f"{status} Service Unavailable", status=status, landed=True)
