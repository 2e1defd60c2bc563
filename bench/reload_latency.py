"""Edit-to-served latency of hot reload: edit a temp copy of a store N times under a running Reloader.

Usage: python bench/reload_latency.py [BRIEFS_DIR] [N]   (default: tests/fixtures/briefs, 20)
"""
from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.edits import time_edit  # noqa: E402
from bot.core.briefer import Briefer
from bot.core.store import load_store
from bot.curation.reload import Reloader


async def measure(source: Path, edits: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
        shutil.copytree(source, root)
        briefer = Briefer(load_store(root))
        reloader = Reloader(briefer, root)
        await reloader.start()
        path = min((root / "sources").glob("*.yaml"))
        original = path.read_text(encoding="utf-8")
        latencies, loads = [], []
        for n in range(edits):
            edited = original.replace("\nnote: ", f"\nnote: (edit {n}) ", 1)
            latencies.append(await time_edit(briefer, path, edited, limit=5))
            loads.append(reloader.last_store.seconds)  # type: ignore[union-attr]
        await reloader.stop()
    ms = sorted(x * 1000 for x in latencies)
    print(f"store {source}: {len(briefer.store.claims)} claims, {edits} edits")
    print(f"edit to served: median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms")
    print(f"load+check+diff in thread: median {statistics.median(loads) * 1000:.0f} ms, max {max(loads) * 1000:.0f} ms")


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/fixtures/briefs")
    asyncio.run(measure(folder, int(sys.argv[2]) if len(sys.argv) > 2 else 20))
