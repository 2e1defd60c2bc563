"""digest(store, topics, since) -> Digest: positions, flagged claims and what changed since a channel's last digest."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.briefing import ClaimViews, FlagView, PositionView, TopicView, brief
from bot.core.changes import ChangeEntry, ChangeSet
from bot.core.compose import KIND_EMOJI
from bot.core.document import Action, Document, Item, Line, Note, Section, Text, bold, plain, visible_chars
from bot.core.labels import FLAGGED_LABELS, LABEL_EMOJI, LABEL_TEXT, Label, label_of
from bot.core.views.build import STANCE_WORD, clip, link, ranked_flags
from bot.core.views.changes import is_since_key, since_key
from bot.core.views.routes import Route
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
    theses: list[str] = Field(default_factory=list, description="The topic's thesis ids, in order (T1, T2, …).")


class Digest(BaseModel):
    """A digest over some topics, for one channel."""

    model_config = ConfigDict(frozen=True)

    store_version: str
    topics: list[TopicDigest]
    updates: list[Update] = Field(default_factory=list)
    since_version: str = Field(default="", description="The store version the channel was last sent ('' for a first digest).")


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
    claims = ClaimViews(store)  # one view per claim and one link index for every topic of the digest
    for topic_id in ids:
        b = brief(store, store.topics[topic_id], claims)
        old = since.topics.get(topic_id) if since else None
        parts.append(TopicDigest(
            topic=b.topic, positions=b.positions, flagged=b.flagged,
            changes=changes_between(old, now.topics[topic_id]) if old else [], first=old is None,
            theses=[t.id for t in b.theses],
        ))
    updates = updates_since(log, since.version if since else "", set(ids))
    return Digest(store_version=store.version, topics=parts, updates=updates,
                  since_version=since.version if since else ""), now


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
NEWLY_FLAGGED_BADGE = "🚩"
DIGEST_FOOTER = "Labels are curators' ratings; 🤖 marks automatic signals, not verdicts. Store {version}."
# A digest is read over coffee: one message, at most this many visible characters (buttons included).
DIGEST_CHARS = 3000
# Kept free for what platforms add around the text (Slack and Discord markup, page numbers).
MARKUP_ROOM = 250
FIRST_DIGEST = "First digest in this channel: nothing earlier to compare with."
NO_CHANGE = "No change since this channel's last digest."
UPDATES_SHOWN = 3
# Line lengths and numbers of change lines tried, most first, until the digest fits DIGEST_CHARS.
DIGEST_TRIES = [(cap, changes) for changes in (8, 5) for cap in (160, 120, 90)] + [
    (cap, changes) for changes in (3, 1, 0) for cap in (90, 70, 50, 35)]


def compose_digest(
    d: Digest, title: str, *, positions: bool = True, changes: bool = True, flagged: bool = True,
) -> Document:
    """The digest as one compact message: what changed, one line per topic, each source's position once,
    and a button per topic to open its summary (on the console, the command to type)."""
    doc = _digest(d, title, positions, changes, flagged, *DIGEST_TRIES[0])
    for cap, shown in DIGEST_TRIES:
        doc = _digest(d, title, positions, changes, flagged, cap, shown)
        if visible_chars(doc) <= DIGEST_CHARS - MARKUP_ROOM:
            break
    return doc


def _digest(d: Digest, title: str, positions: bool, changes: bool, flagged: bool, cap: int, shown: int) -> Document:
    sections: list[Section] = []
    if changes and d.updates:
        notes: list[Text | Item | Note] = [Note(line=[plain(f"{u.at:%Y-%m-%d %H:%M} UTC · store {u.version} · {u.summary}")])
                                           for u in d.updates[-UPDATES_SHOWN:]]
        if len(d.updates) > UPDATES_SHOWN:
            notes.insert(0, _none(f"{len(d.updates) - UPDATES_SHOWN} earlier update(s) not shown."))
        sections.append(Section(title="Curators' updates since your last digest", blocks=notes))
    titles = {p.source.id: p.source.title for t in d.topics for p in t.positions}
    left = shown
    hidden = 0
    more: list[Action] = []  # a button per topic whose changes did not all fit: the changes view, paged
    if changes:
        for part in d.topics:
            if not part.changes:
                continue
            items: list[Text | Item | Note] = [_change_item(c, titles, cap) for c in part.changes[:left]]
            hidden += len(part.changes) - len(items)
            since = since_key(d.since_version)
            if len(items) < len(part.changes) and is_since_key(since):
                more.append(link(f"All {len(part.changes)} changes: {clip(part.topic.title, 40)}",
                                 Route("changes", part.topic.id, 0, since)))
            left -= len(items)
            if items:
                sections.append(Section(title=f"{part.topic.title}: what changed", blocks=items))
        if hidden:
            sections.append(Section(title="More changes", blocks=[
                _none(f"+{hidden} more change(s): the “All … changes” buttons list them page by page.")]))
    mixed = len({t.first for t in d.topics}) > 1  # else the summary line says it once for all
    sections.append(Section(title="Topics", blocks=[_topic_line(part, flagged, changes and mixed, changes, cap) for part in d.topics]
                            or [_none("No topic to report on.")]))
    if positions:
        lines = _source_lines(d, cap)
        if lines:
            sections.append(Section(title="Each source's position", blocks=lines))
    n_changes = sum(len(t.changes) for t in d.topics)
    n_flagged = len({f.id for t in d.topics for f in t.flagged})
    summary: Line = [plain(f"{len(d.topics)} topic(s) · "), bold(f"{n_changes} change(s)"), plain(f" · {n_flagged} flagged")]
    if changes and d.topics and all(t.first for t in d.topics):
        summary.append(plain(f" · {FIRST_DIGEST}"))
    elif changes and d.topics and not n_changes and not d.updates:
        summary.append(plain(f" · {NO_CHANGE}"))
    actions = [*more, *(link(t.topic.title, Route("summary", t.topic.id)) for t in d.topics)]
    return Document(title=title, summary=summary, sections=sections, footer=DIGEST_FOOTER.format(version=d.store_version),
                    actions=actions)


def _none(text: str) -> Note:
    return Note(line=[plain(text)])


def _topic_line(part: TopicDigest, flagged: bool, say_first: bool, changes: bool, cap: int) -> Note:
    """`China — 4 sources · 11 flagged · 2 changes · worst: ❌ …` on one line."""
    bits = [f"{len(part.positions)} source(s)"]
    if flagged:
        bits.append(f"{len(part.flagged)} flagged")
    if part.first and say_first:
        bits.append("new to this channel")
    elif changes and not part.first and part.changes:
        bits.append(f"{len(part.changes)} change(s)")
    line: Line = [bold(part.topic.title), plain(" — " + " · ".join(bits))]
    worst = ranked_flags(part.flagged)[:1] if flagged else []
    if worst:
        line.append(plain(f" · worst: {LABEL_EMOJI[worst[0].label]} {clip(worst[0].statement, cap // 2)}"))
    return Note(line=line)


def _source_lines(d: Digest, cap: int) -> list[Text | Item | Note]:
    """One line per source, however many topics it takes a position on."""
    seen: dict[str, tuple[PositionView, list[str]]] = {}
    for part in d.topics:
        for p in part.positions:
            numbers = {t: f"T{i + 1}" for i, t in enumerate(part.theses)}
            stances = ", ".join(f"{numbers.get(s.thesis, s.thesis)} {STANCE_WORD[s.stance]}" for s in p.stances) or "no stance"
            entry = seen.setdefault(p.source.id, (p, []))
            entry[1].append(f"{part.topic.title}: {stances}")
    return [Note(line=[plain(f"{KIND_EMOJI[p.source.kind]} "), bold(clip(p.source.title, cap // 2)),
                       plain(" — " + clip("; ".join(parts), cap))])
            for p, parts in seen.values()]


def _change_item(c: Change, titles: dict[str, str], cap: int = 160) -> Item:
    newly = (c.kind == "changed" and c.what == "claim" and c.label and Label(c.label) in FLAGGED_LABELS
             and (not c.was_label or Label(c.was_label) not in FLAGGED_LABELS))
    what = "Newly flagged claim" if newly else f"{c.kind.capitalize()} {c.what}"
    head: Line = [bold(what), plain(f" · {clip(titles.get(c.source, c.source), 60)}")]
    note: Line = [plain(f"{c.what} {c.id}")]
    if c.label:
        head.append(plain(f" · {LABEL_EMOJI[Label(c.label)]} {LABEL_TEXT[Label(c.label)]}"))
    if c.kind == "changed" and c.was_label and c.was_label != c.label:
        note.append(plain(f" · was {LABEL_TEXT[Label(c.was_label)]}"))
    badge = NEWLY_FLAGGED_BADGE if newly else CHANGE_BADGE[c.kind]
    return Item(badge=badge, head=head, body=[[plain(clip(c.text, cap))]], note=note)
