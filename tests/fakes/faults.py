"""HTTP-level fault injection for the fake platforms: an aiohttp middleware that answers a request with an
error, drops its connection or stalls it, either before the request is handled (nothing created) or after
(the message exists, but the client never learns it)."""
from __future__ import annotations

import asyncio
import random as rnd
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

Kind = Literal["status", "reset", "stall"]
When = Literal["before", "after"]
ErrorResponse = Callable[[int, float | None], web.Response]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Fault:
    """One programmed fault on requests matching `method` and `path` (a regex searched in the path)."""

    method: str
    path: str
    kind: Kind = "status"
    when: When = "before"
    status: int = 500
    retry_after: float | None = None
    stall: float = 30.0  # seconds a stalled request hangs (longer than the client waits)
    count: int = 1
    skip: int = 0  # let this many matching requests through first (to hit page 2, say)


@dataclass
class Injected:
    """A fault that fired: on which request, and whether the request had been handled (landed)."""

    fault: Fault
    method: str
    path: str


@dataclass
class FaultPlan:
    """Faults waiting to fire, first match first; `fired` lists those that did."""

    error: ErrorResponse
    faults: list[Fault] = field(default_factory=list)
    fired: list[Injected] = field(default_factory=list)
    # Asked for requests no queued fault matches: a fault to inject at random, or None.
    chance: Callable[[str, str], Fault | None] | None = None

    def add(self, fault: Fault) -> Fault:
        """Queue a fault."""
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if one is waiting (its count is used up by one)."""
        for fault in self.faults:
            if fault.count > 0 and fault.method == method and re.search(fault.path, path):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.count -= 1
                self.fired.append(Injected(fault, method, path))
                return fault
        fault = self.chance(method, path) if self.chance is not None else None
        if fault is not None:
            self.fired.append(Injected(fault, method, path))
        return fault

    def random(self, seed: int, method: str, path: str, p: float, menu: list[Fault], limit: int) -> None:
        """Inject one of `menu` (seeded) into each matching request with probability `p`, `limit` in all."""
        rng = rnd.Random(seed)
        left = [limit]

        def chance(m: str, path_: str) -> Fault | None:
            if m != method or not re.search(path, path_) or left[0] <= 0 or rng.random() >= p:
                return None
            left[0] -= 1
            return rng.choice(menu)

        self.chance = chance

    @property
    def pending(self) -> int:
        """How many faults are still to fire."""
        return sum(f.count for f in self.faults)

    def middleware(self) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        """The aiohttp middleware applying this plan."""

        @web.middleware
        async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
            fault = self.take(request.method, request.path)
            if fault is None:
                return await handler(request)
            if fault.when == "after":
                await handler(request)  # the platform did the work; the answer is what goes wrong
            return await self._misbehave(request, fault)

        return inject

    async def _misbehave(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.kind == "status":
            return self.error(fault.status, fault.retry_after)
        if fault.kind == "stall":
            await asyncio.sleep(fault.stall)
        if request.transport is not None:
            request.transport.abort()  # the client sees its connection reset
        raise asyncio.CancelledError  # aiohttp drops a handler cancelled after its transport is gone
