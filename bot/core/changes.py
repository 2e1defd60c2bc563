"""What changed between two store snapshots, and the change log that records it per reload."""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.core.models import Claim, Position
from bot.core.store import Store

log = logging.getLogger(__name__)

Kind = Literal["claim", "position"]
Action = Literal["added", "changed", "withdrawn"]

# A claim counts as changed when any of these differs: its wording, its quote or any rated field.
CLAIM_FIELDS = ("statement", "quote", "speaker", "topics", "evidence", "attribution", "commitment", "framing")
POSITION_FIELDS = ("summary", "stances")


@dataclass(frozen=True)
class Change:
    """One claim or position added, changed or withdrawn."""

    kind: Kind
    action: Action
    id: str
    source: str
    topics: tuple[str, ...]
    text: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """Every change from one store snapshot to the next."""

    changes: tuple[Change, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing a brief shows has changed."""
        return not self.changes

    def for_topic(self, topic_id: str) -> list[Change]:
        """The changes that bear on one topic."""
        return [c for c in self.changes if topic_id in c.topics]

    def for_source(self, source_id: str) -> list[Change]:
        """The changes in one source."""
        return [c for c in self.changes if c.source == source_id]

    def by_topic(self) -> dict[str, list[Change]]:
        """Changes grouped by topic (a change on two topics appears under both)."""
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            for topic in change.topics:
                out.setdefault(topic, []).append(change)
        return out

    def summary(self) -> str:
        """One sentence counting the changes, e.g. `2 claims added, 1 position changed`."""
        if self.is_empty:
            return "No claims or positions changed."
        counts = Counter((c.kind, c.action) for c in self.changes)
        parts = []
        for kind in ("claim", "position"):
            for action in ("added", "changed", "withdrawn"):
                n = counts.get((kind, action), 0)
                if n:
                    parts.append(f"{n} {kind}{'s' if n != 1 else ''} {action}")
        return ", ".join(parts) + "."


def diff_stores(old: Store, new: Store) -> ChangeSet:
    """The claims and positions added, changed or withdrawn from `old` to `new`, in a stable order."""
    changes = _claim_changes(old, new) + _position_changes(old, new)
    order = {"added": 0, "changed": 1, "withdrawn": 2}
    return ChangeSet(tuple(sorted(changes, key=lambda c: (c.kind, order[c.action], c.source, c.id))))


def _claim_changes(old: Store, new: Store) -> list[Change]:
    out = []
    for cid, entry in new.claims.items():
        before = old.claims.get(cid)
        if before is None:
            out.append(_claim_change("added", entry.claim, entry.source.id))
            continue
        fields = [f for f in CLAIM_FIELDS if getattr(before.claim, f) != getattr(entry.claim, f)]
        if before.source.id != entry.source.id:
            fields.append("source")
        if fields:
            topics = tuple(dict.fromkeys((*entry.claim.topics, *before.claim.topics)))
            out.append(Change("claim", "changed", cid, entry.source.id, topics, entry.claim.statement, tuple(fields)))
    for cid, entry in old.claims.items():
        if cid not in new.claims:
            out.append(_claim_change("withdrawn", entry.claim, entry.source.id))
    return out


def _claim_change(action: Action, claim: Claim, source: str) -> Change:
    return Change("claim", action, claim.id, source, tuple(claim.topics), claim.statement)


def _positions(store: Store) -> dict[tuple[str, str], Position]:
    return {(s.id, p.topic): p for s in store.sources.values() for p in s.positions}


def _position_changes(old: Store, new: Store) -> list[Change]:
    before, after = _positions(old), _positions(new)
    out = []
    for (source, topic), position in after.items():
        prior = before.get((source, topic))
        if prior is None:
            out.append(_position_change("added", source, position))
            continue
        fields = tuple(f for f in POSITION_FIELDS if getattr(prior, f) != getattr(position, f))
        if fields:
            out.append(Change("position", "changed", f"{source}/{topic}", source, (topic,), position.summary, fields))
    for (source, topic), position in before.items():
        if (source, topic) not in after:
            out.append(_position_change("withdrawn", source, position))
    return out


def _position_change(action: Action, source: str, position: Position) -> Change:
    return Change("position", action, f"{source}/{position.topic}", source, (position.topic,), position.summary)


@dataclass(frozen=True)
class ChangeEntry:
    """One reload's changes, with when it happened and the store versions before and after."""

    at: datetime
    version: str
    previous: str
    changes: ChangeSet = field(default_factory=ChangeSet)

    def to_json(self) -> str:
        """One JSON line."""
        data = {
            "at": self.at.isoformat(), "version": self.version, "previous": self.previous,
            "changes": [asdict(c) for c in self.changes.changes],
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> ChangeEntry:
        """Parse one JSON line written by `to_json` (ValueError, KeyError or TypeError when malformed)."""
        data = json.loads(line)
        changes = tuple(
            Change(**{**c, "topics": tuple(c["topics"]), "fields": tuple(c["fields"])}) for c in data["changes"]
        )
        return cls(datetime.fromisoformat(data["at"]), data["version"], data["previous"], ChangeSet(changes))


class ChangeLog:
    """An append-only JSON-lines file of ChangeEntry, one line per reload that changed something."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: ChangeEntry) -> None:
        """Add one entry as one line (a single write, so a reader never sees half an entry)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(entry.to_json() + "\n")

    def entries(self, since: datetime | None = None) -> list[ChangeEntry]:
        """Every entry, oldest first; only those after `since` when given. Unreadable lines are skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = ChangeEntry.from_json(line)
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("skipping unreadable line %d of %s: %s", number, self.path, exc)
                continue
            if since is None or entry.at > since:
                out.append(entry)
        return out

    def last(self) -> ChangeEntry | None:
        """The latest entry, if any."""
        entries = self.entries()
        return entries[-1] if entries else None

    def changes_since(self, since: datetime | None) -> ChangeSet:
        """Every change recorded after `since`, in log order."""
        return ChangeSet(tuple(c for e in self.entries(since) for c in e.changes.changes))

