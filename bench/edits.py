"""One curator's edit timed until a running Briefer serves it: the loop both store benchmarks share."""
from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any


async def time_edit(briefer: Any, path: Path, edited: str, limit: float, topic: str | None = None) -> float:
    """Replace `path` with `edited` in one rename (as an editor saves); seconds until a new store is served
    and, with `topic`, until the summary `/brief TOPIC` answers with is ready in it (built by then, or
    built now, as a command arriving at that moment would)."""
    staged = path.parent.parent / f".{path.name}.edit"
    staged.write_text(edited, encoding="utf-8")
    before = briefer.store.version
    start = time.perf_counter()
    os.replace(staged, path)
    while briefer.store.version == before:
        if time.perf_counter() - start > limit:
            raise SystemExit(f"the edit of {path.name} was not served within {limit:g} s")
        await asyncio.sleep(0.001)
    if topic is not None:
        briefer.prepared.views.summary(topic)
    return time.perf_counter() - start
