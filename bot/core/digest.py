"""digest(store, topics, since) -> Digest: positions, flagged claims and what changed since a channel's last digest."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.briefing import FlagView, PositionView, TopicView, brief
from bot.core.changes import ChangeEntry, ChangeSet
from bot.core.compose import flag_item, position_item
from bot.core.document import Document, Item, Line, Note, Section, Text, bold, plain
from bot.core.labels import LABEL_EMOJI, LABEL_TEXT, Label, label_of
from bot.core.models import Claim, Position, Source
from bot.core.store import Store


class Print(BaseModel):
    """The fingerprint of one claim or position as a channel was last sent it, with a line to name it."""

    model_config = ConfigDict(frozen=True)

    h: str
    t: str
    label: str = ""
    source: str = ""


class TopicPrints(BaseModel):
    """Fingerprints of one topic's claims (by claim id) and positions (by source id)."""

    model_config = ConfigDict(frozen=True)

    claims: dict[str, Print] = Field(default_factory=dict)
    positions: dict[str, Print] = Field(default_factory=dict)


class Snapshot(BaseModel):
    """What a channel was sent: fingerprints per topic. Stored as JSON beside each delivery."""

    model_config = ConfigDict(frozen=True)

    topics: dict[str, TopicPrints] = Field(default_factory=dict)
    version: str = Field(default="", description="The store version the channel was sent (finds its place in the change log).")

    def merged(self, older: Snapshot) -> Snapshot:
        """This snapshot, with topics it lacks taken from an older one."""
        return Snapshot(topics={**older.topics, **self.topics}, version=self.version or older.version)


class Update(BaseModel):
    """One reload from the curators' change log that touched the digest's topics."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    version: str
    summary: str


class Change(BaseModel):
    """One difference between the store now and what the channel was last sent."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["new", "changed", "withdrawn"]
    what: Literal["claim", "position"]
    id: str
    source: str
    text: str
    label: str = ""
    was_label: str = ""


class TopicDigest(BaseModel):
    """One topic's part of a digest."""

    model_config = ConfigDict(frozen=True)

    topic: TopicView
    positions: list[PositionView]
    flagged: list[FlagView]
    changes: list[Change]
    first: bool = Field(description="The channel had never been sent this topic: nothing to compare.")


class Digest(BaseModel):
    """A digest over some topics, for one channel."""

    model_config = ConfigDict(frozen=True)

    store_version: str
    topics: list[TopicDigest]
    updates: list[Update] = Field(default_factory=list)


def _hash(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def claim_print(claim: Claim, source: Source) -> Print:
    """A claim's fingerprint: wording, quote, speaker, ratings and theses."""
    h = _hash(claim.statement, claim.quote, claim.speaker, claim.evidence, claim.attribution,
              claim.commitment, claim.framing, sorted(claim.theses))
    return Print(h=h, t=claim.statement, label=label_of(claim).value, source=source.id)


def position_print(position: Position, source: Source) -> Print:
    """A position's fingerprint: summary and stances."""
    stances = [(s.thesis, s.stance, s.note) for s in position.stances]
    return Print(h=_hash(position.summary, stances), t=position.summary, source=source.id)


def topic_ids(store: Store, topics: Literal["all"] | list[str]) -> list[str]:
    """The topics a digest covers, in id order; unknown ids are dropped."""
    wanted = sorted(store.topics) if topics == "all" else list(topics)
    return [t for t in wanted if t in store.topics]


def snapshot_of(store: Store, topics: list[str]) -> Snapshot:
    """Fingerprints of every claim and position on `topics`."""
    return Snapshot(version=store.version, topics={
        t: TopicPrints(
            claims={e.claim.id: claim_print(e.claim, e.source) for e in store.claims_for(t)},
            positions={s.id: position_print(p, s) for s, p in store.positions_for(t)},
        )
        for t in topics
    })


def changes_between(old: TopicPrints, new: TopicPrints) -> list[Change]:
    """New, changed and withdrawn claims and positions, positions first."""
    out: list[Change] = []
    parts: tuple[tuple[Literal["position", "claim"], dict[str, Print], dict[str, Print]], ...] = (
        ("position", old.positions, new.positions), ("claim", old.claims, new.claims))
    for what, before, after in parts:
        for key, now in after.items():
            was = before.get(key)
            if was is None:
                out.append(Change(kind="new", what=what, id=key, source=now.source, text=now.t, label=now.label))
            elif was.h != now.h:
                out.append(Change(kind="changed", what=what, id=key, source=now.source, text=now.t,
                                  label=now.label, was_label=was.label))
        for key, was in before.items():
            if key not in after:
                out.append(Change(kind="withdrawn", what=what, id=key, source=was.source, text=was.t, label=was.label))
    return out


def digest(
    store: Store, topics: Literal["all"] | list[str], since: Snapshot | None, log: Sequence[ChangeEntry] = (),
) -> tuple[Digest, Snapshot]:
    """The digest of `topics` for a channel last sent `since` (None: never), and the snapshot it sends.

    `log` is the curators' change log; the reloads after the version the channel was last sent, that
    touched these topics, are listed as updates.
    """
    ids = topic_ids(store, topics)
    now = snapshot_of(store, ids)
    parts = []
    for topic_id in ids:
        b = brief(store, store.topics[topic_id])
        old = since.topics.get(topic_id) if since else None
        parts.append(TopicDigest(
            topic=b.topic, positions=b.positions, flagged=b.flagged,
            changes=changes_between(old, now.topics[topic_id]) if old else [], first=old is None,
        ))
    updates = updates_since(log, since.version if since else "", set(ids))
    return Digest(store_version=store.version, topics=parts, updates=updates), now


def updates_since(log: Sequence[ChangeEntry], version: str, topics: set[str]) -> list[Update]:
    """Change-log entries after the one that produced `version`, keeping changes on `topics`.

    Nothing when the version is unknown to the log (a first digest, or a log started later): the
    per-topic comparison above still says what changed.
    """
    starts = [i for i, entry in enumerate(log) if entry.version == version]
    if not version or not starts:
        return []
    out = []
    for entry in log[starts[-1] + 1:]:
        relevant = ChangeSet(tuple(c for c in entry.changes.changes if topics & set(c.topics)))
        if not relevant.is_empty:
            out.append(Update(at=entry.at, version=entry.version, summary=relevant.summary()))
    return out


CHANGE_BADGE = {"new": "🆕", "changed": "✏️", "withdrawn": "🗑️"}
DIGEST_FOOTER = "Labels are curators' ratings; 🤖 marks automatic signals, not verdicts. Store {version}."


def compose_digest(
    d: Digest, title: str, *, positions: bool = True, changes: bool = True, flagged: bool = True,
) -> Document:
    """The digest as a document: per topic, what changed, each source's position, the flagged claims."""
    sections: list[Section] = []
    if changes and d.updates:
        sections.append(Section(title="Curators' updates since your last digest", blocks=[
            Note(line=[plain(f"{u.at:%Y-%m-%d %H:%M} UTC · store {u.version} · {u.summary}")]) for u in d.updates]))
    titles = {p.source.id: p.source.title for t in d.topics for p in t.positions}
    shown: set[str] = set()  # a claim on several topics is listed once, under the first
    for part in d.topics:
        name = part.topic.title
        if changes:
            sections.append(Section(title=f"{name}: what changed", blocks=_change_blocks(part, titles)))
        if positions:
            sections.append(Section(title=f"{name}: positions",
                                    blocks=[position_item(p) for p in part.positions] or [_none("No source takes a position yet.")]))
        if flagged:
            sections.append(Section(title=f"{name}: flagged claims", blocks=_flagged_blocks(part, titles, shown)))
    n_changes = sum(len(t.changes) for t in d.topics)
    n_flagged = len({f.id for t in d.topics for f in t.flagged})
    summary = [plain(f"{len(d.topics)} topic(s) · "), bold(f"{n_changes} change(s)"), plain(f" · {n_flagged} flagged")]
    return Document(title=title, summary=summary, sections=sections, footer=DIGEST_FOOTER.format(version=d.store_version))


def _none(text: str) -> Note:
    return Note(line=[plain(text)])


def _change_blocks(part: TopicDigest, titles: dict[str, str]) -> list[Text | Item | Note]:
    if part.first:
        return [_none("First digest of this topic in this channel: nothing earlier to compare with.")]
    if not part.changes:
        return [_none("No change since this channel's last digest.")]
    return [_change_item(c, titles) for c in part.changes]


def _change_item(c: Change, titles: dict[str, str]) -> Item:
    head: Line = [bold(f"{c.kind.capitalize()} {c.what}"), plain(f" · {titles.get(c.source, c.source)}")]
    note: Line = [plain(f"{c.what} {c.id}")]
    if c.label:
        head.append(plain(f" · {LABEL_EMOJI[Label(c.label)]} {LABEL_TEXT[Label(c.label)]}"))
    if c.kind == "changed" and c.was_label and c.was_label != c.label:
        note.append(plain(f" · was {LABEL_TEXT[Label(c.was_label)]}"))
    return Item(badge=CHANGE_BADGE[c.kind], head=head, body=[[plain(c.text)]], note=note)


def _flagged_blocks(part: TopicDigest, titles: dict[str, str], shown: set[str]) -> list[Text | Item | Note]:
    new = [f for f in part.flagged if f.id not in shown]
    blocks: list[Text | Item | Note] = [flag_item(f, titles, quote=False) for f in new]
    earlier = len(part.flagged) - len(new)
    if earlier:
        blocks.append(_none(f"{earlier} more flagged claim(s) on this topic are listed under an earlier topic."))
    shown.update(f.id for f in new)
    return blocks or [_none("No flagged claim.")]
