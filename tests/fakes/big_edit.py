"""A store after a big curators' edit, with the change log the reloader would have written for it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.changes import ChangeEntry, ChangeLog, ChangeSet, diff_stores
from bot.core.store import Store, build_store

NEWER_VERSION = "0badc0d+5e1f00d5e1f00d"


def big_edit(store: Store, state: Path) -> tuple[Store, ChangeLog]:
    """Every other claim of every source reworded and the rest withdrawn; the log of that reload in `state`."""
    edited = [s.model_copy(update={"claims": tuple(c.model_copy(update={"statement": c.statement + " (reworded)"})
                                                    for c in s.claims[::2])}) for s in store.sources.values()]
    newer = build_store(list(store.topics.values()), edited, NEWER_VERSION)
    log = ChangeLog(state / "changes.jsonl")
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    log.append(ChangeEntry(start, store.version, "", ChangeSet()))
    log.append(ChangeEntry(start + timedelta(hours=1), newer.version, store.version, diff_stores(store, newer)))
    return newer, log
