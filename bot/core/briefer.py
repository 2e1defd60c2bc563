"""The core facade adapters call: answers `/brief` from the current store snapshot."""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core import messages
from bot.core.briefing import Brief, brief
from bot.core.compose import compose_brief, compose_topics
from bot.core.document import Document, message
from bot.core.errors import BadArgument, UnknownTopic, UserError
from bot.core.models import Topic
from bot.core.snapshot import SignalCache
from bot.core.store import Store, collector_paused as _collector_paused
from bot.core.topics import MAX_QUERY_CHARS, complete, find_topic, name_index

MAX_COMMAND_CHARS = 200

log = logging.getLogger(__name__)

# Called after each command with (platform, topic id or "-", outcome, seconds): metrics hook in here.
Observer = Callable[[str, str, str, float], None]


@dataclass(frozen=True)
class BriefRequest:
    """What a `/brief` command asks for."""

    topic: str | None
    public: bool = False
    help: bool = False


def parse_command(text: str) -> BriefRequest:
    """Parse the text after `/brief`: `china`, `china public`, `help`, or nothing."""
    if len(text) > MAX_COMMAND_CHARS:
        raise BadArgument(messages.too_long(len(text), MAX_COMMAND_CHARS))
    words = text.split()
    public = bool(words) and words[-1].casefold() in ("public", "publique", "--public")
    if public:
        words = words[:-1]
    query = " ".join(words)
    if query.casefold() in ("help", "aide", "?"):
        return BriefRequest(topic=None, help=True)
    return BriefRequest(topic=query or None, public=public)


@dataclass(frozen=True)
class Prepared:
    """A store ready to serve: its name index and every topic's brief built in advance."""

    store: Store
    index: dict[str, str]
    # A brief depends only on the snapshot and the topic, so each document is built once per snapshot.
    # Only the documents are kept: the Brief views behind them would double the memory held.
    documents: dict[str, Document] = field(default_factory=dict)
    # The sources each document was built from, so an edit rebuilds only the documents it touches.
    depends: dict[str, Depends] = field(default_factory=dict)

    def brief(self, topic: Topic) -> Brief:
        return brief(self.store, topic)

    def document(self, topic: Topic) -> Document:
        found = self.documents.get(topic.id)
        if found is None:
            found = self.documents[topic.id] = compose_brief(self.brief(topic))
            self.depends[topic.id] = topic_sources(self.store, topic.id)
        return found


def prepare(store: Store, *, warm: bool = True, previous: Prepared | None = None) -> Prepared:
    """Index a store and (with `warm`) build every topic's brief, so no command pays for it.

    With `previous` (the Prepared of the store `store` was patched from), only the briefs the edit
    touched are built again. Slow on a large store: call it off the command path (the reloader runs
    it in a thread).
    """
    reused = _reusable(store, previous)
    prepared = Prepared(store, previous.index if reused and previous else name_index(store.topics))
    if reused and previous is not None:
        old, new = previous.store.version, store.version
        for topic_id in reused:
            doc = previous.documents[topic_id]
            # Only the footer names the store version; the rest of an untouched brief is the same.
            prepared.documents[topic_id] = doc.model_copy(update={"footer": doc.footer.replace(old, new)})
            prepared.depends[topic_id] = previous.depends[topic_id]
    else:
        _settle()  # before building briefs, or every collection they trigger rescans the whole store
    if warm:
        missing = [t for t in store.topics.values() if t.id not in prepared.documents]
        quotes = {e.claim.quote for t in missing for e in store.claims_for(t.id)}
        with SignalCache(store.state_dir, quotes), _collector_paused():
            for topic in missing:
                prepared.document(topic)
        gc.freeze()  # each brief lives as long as the snapshot: keep collections from rescanning it
    return prepared


def _reusable(store: Store, previous: Prepared | None) -> set[str]:
    """Topics whose prepared brief `store` can take over from `previous` (none unless it was patched)."""
    delta = store.delta
    if previous is None or delta is None or delta.base != previous.store.version:
        return set()
    if previous.store.topics is not store.topics:
        return set()
    old = previous.store
    described = {s for s in delta.sources if _header(old, s) != _header(store, s)}
    relinked = {s for s in delta.sources if _parents(old, s) != _parents(store, s)}
    claims: set[str] = set()  # claims another brief may read: those whose origins or place changed
    for source_id in delta.sources:
        before, after = _origin_keys(old, source_id), _origin_keys(store, source_id)
        claims |= {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    return {t for t, deps in previous.depends.items()
            if t in store.topics and t in previous.documents and t not in delta.topics
            and not deps.touched_by(described, relinked, claims)}


def _header(store: Store, source_id: str) -> dict[str, object] | None:
    """A source's own fields (title, outlet, note…): what a brief shows of a source it cites."""
    source = store.sources.get(source_id)
    if source is None:
        return None
    return {k: v for k, v in source.__dict__.items() if k not in ("claims", "positions")}


def _origin_keys(store: Store, source_id: str) -> dict[str, tuple[object, ...]]:
    """What a brief reads of a claim it links to (bot.core.origins): its source, relays, attribution, also_in."""
    source = store.sources.get(source_id)
    return {c.id: (source_id, tuple(getattr(c, "relays", ())), c.attribution, tuple(c.also_in))
            for c in (source.claims if source is not None else ())}


def _parents(store: Store, source_id: str) -> list[str]:
    source = store.sources.get(source_id)
    return list(source.derived_from) if source is not None else []


@dataclass(frozen=True)
class Depends:
    """What one topic's brief reads besides its own claims and positions."""

    shown: frozenset[str]    # sources whose details the brief shows (cited, relayed, also_in)
    origins: frozenset[str]  # every source on a derived_from path behind the brief's origins
    linked: frozenset[str]   # claims its claims corroborate or contradict (their origins are read)

    def touched_by(self, described: set[str], relinked: set[str], claims: set[str]) -> bool:
        """Whether an edit can change this brief, outside the topics the edited claims and positions are
        on: `described` are the edited sources whose own fields changed, `relinked` those whose
        derived_from did, `claims` the claims whose origins or source changed (or that came or went)."""
        return bool(described & self.shown or relinked & self.origins or claims & self.linked)


def topic_sources(store: Store, topic_id: str) -> Depends:
    """What a topic's brief depends on (see Depends)."""
    shown: set[str] = set()
    linked: set[str] = set()
    for entry in store.claims_for(topic_id):
        shown.add(entry.source.id)
        shown.update(_named_sources(entry.claim))
        linked.update(entry.claim.corroborates)
        linked.update(entry.claim.contradicts)
    for source, position in store.positions_for(topic_id):
        shown.add(source.id)
        shown.update(_named_sources(position))
    roots = set(shown) | {store.claims[c].source.id for c in linked if c in store.claims}
    shown.update(p for s in list(shown) for p in _parents(store, s))  # cited as the sources they relay
    stack = list(roots)
    while stack:
        for parent in _parents(store, stack.pop()):
            if parent not in roots:
                roots.add(parent)
                stack.append(parent)
    return Depends(frozenset(shown), frozenset(roots), frozenset(linked))


def _named_sources(model: object) -> list[str]:
    """The sources a claim or position names besides its own: also_in, and what it or its stances relay."""
    out = list(getattr(model, "also_in", ())) + list(getattr(model, "relays", ()))
    for stance in getattr(model, "stances", ()):
        out.extend(getattr(stance, "relays", ()))
    return out


class Briefer:
    """Holds one prepared store at a time; `swap` replaces it in a single assignment."""

    def __init__(self, store: Store | Prepared, observer: Observer | None = None) -> None:
        self.observer = observer
        self._snap = store if isinstance(store, Prepared) else prepare(store)
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """The snapshot in service now."""
        return self._snap.store

    @property
    def prepared(self) -> Prepared:
        """The prepared snapshot in service now."""
        return self._snap

    def swap(self, store: Store | Prepared) -> None:
        """Serve `store` from now on; a request already running keeps the snapshot it took."""
        snap = store if isinstance(store, Prepared) else prepare(store)
        with self._lock:
            self._snap = snap

    def find(self, query: str) -> Topic:
        """The topic a query names (UnknownTopic or BadArgument otherwise)."""
        snap = self._snap
        return find_topic(snap.store.topics, query, snap.index)

    def brief(self, query: str) -> Brief:
        """The brief on the topic `query` names, from one snapshot."""
        snap = self._snap
        return snap.brief(find_topic(snap.store.topics, query, snap.index))

    def answer(self, text: str, platform: str = "console") -> tuple[Document, BriefRequest | None]:
        """The document answering a `/brief` command text; user errors become an error document."""
        started = time.perf_counter()
        topic, outcome = "-", "error"
        try:
            request = parse_command(text)
            if request.help:
                doc, outcome = help_document(), "help"
            elif request.topic is None:
                doc, outcome = self.topics_document(), "topics"
            else:
                snap = self._snap
                found = find_topic(snap.store.topics, request.topic, snap.index)
                doc, topic, outcome = snap.document(found), found.id, "brief"
            return doc, request
        except UnknownTopic as exc:
            outcome = "unknown-topic"
            return message("Cannot brief that", str(exc), tone="error"), None
        except UserError as exc:
            outcome = "bad-argument"
            return message("Cannot brief that", str(exc), tone="error"), None
        finally:
            seconds = time.perf_counter() - started
            log.info("command answered", extra={"platform": platform, "topic": topic, "outcome": outcome,
                                                 "ms": round(seconds * 1000, 1)})
            if self.observer is not None:
                self.observer(platform, topic, outcome, seconds)

    def topics_document(self) -> Document:
        """The list of topics."""
        return compose_topics(sorted(self.store.topics.values(), key=lambda t: t.id))

    def complete(self, typed: str, limit: int = 25) -> list[Topic]:
        """Topics for autocomplete."""
        return complete(self.store.topics, typed, limit)


def help_document() -> Document:
    """How to use `/brief`."""
    return message("How to use /brief", messages.HELP.format(limit=MAX_QUERY_CHARS))


def _settle() -> None:
    # A store and its briefs are hundreds of thousands of long-lived objects: freezing them keeps the
    # cyclic GC from rescanning them on the command path (a full collection costs ~0.5 s at 100k
    # claims). They are still freed by reference counting once a snapshot is dropped; the young
    # collection first keeps the loader's fresh garbage out of the frozen set.
    gc.collect(1)
    gc.freeze()
