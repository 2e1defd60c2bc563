"""Waiting in async tests for something another task or process does."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def wait_for(condition: Callable[[], Any], timeout: float = 5.0, step: float = 0.005) -> None:
    """Poll until `condition()` is true; fail the test after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        await asyncio.sleep(step)
