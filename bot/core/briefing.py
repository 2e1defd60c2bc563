"""brief(store, topic) -> Brief: the platform-neutral brief, and the JSON contract of `--format json`."""
from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol

from pydantic import TypeAdapter

from bot.core.flags import SIGNAL_TEXT, Signal, claim_signals
from bot.core.labels import LABEL_REASON, LABEL_TEXT, LOADED_REASON, Label, is_flagged, label_of
from bot.core.models import (
    Attribution, Commitment, Evidence, EvidenceRef, Framing, Position, Source, SourceKind, Stance, ThesisStance, Topic,
)
from bot.core.links import Links
from bot.core.origins import claim_origins as own_origins, claim_relays, source_roots, stance_origins
from bot.core.store import ClaimEntry, Store


class LinkLookup(Protocol):
    def get(self, claim_id: str, default: Any = ..., /) -> Any: ...


class View:
    """Base of the brief's JSON contract: immutable, every field always present.

    Views are slots dataclasses, not pydantic models: a store of 100k claims holds a view per claim,
    and pydantic's per-instance state would more than double that. pydantic still writes their JSON.
    """

    __slots__ = ()

    def model_dump(self, *, mode: Literal["json", "python"] = "python", exclude: set[str] | None = None) -> Any:
        """The view as plain data (lists, dicts, strings), as its JSON contract has it."""
        return _adapter(type(self)).dump_python(self, mode=mode, exclude=exclude)

    def model_dump_json(self) -> str:
        return _adapter(type(self)).dump_json(self).decode()

    def model_copy(self, *, update: dict[str, Any]) -> Any:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **update)  # type: ignore[type-var]

    @classmethod
    def field_default(cls, name: str) -> Any:
        return next(f.default for f in dataclasses.fields(cls) if f.name == name)  # type: ignore[arg-type]


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    """pydantic's serialiser of a view type (or a list of one), made once."""
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found




@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SourceView(View):
    """A source as a brief shows it."""

    id: str
    title: str
    outlet: str
    author: str | None
    kind: SourceKind
    language: str
    published: str
    url: str | None
    archive: str | None
    note: str
    derived_from: list[str]
    origins: list[str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TopicView(View):
    """The topic a brief is about."""

    id: str
    title: str
    description: str
    aliases: list[str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ThesisTally(View):
    """A thesis: which sources support, oppose or are mixed on it, and their independent origins.

    `supports`/`opposes`/`mixed` list source ids; the `*_origins` lists count each independent origin
    once (a source that only relays another's report counts under that report's origin).
    """

    id: str
    statement: str
    supports: list[str]
    opposes: list[str]
    mixed: list[str]
    supports_origins: list[str]
    opposes_origins: list[str]
    mixed_origins: list[str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class StanceView(View):
    """A source's stance on one thesis."""

    thesis: str
    stance: Stance
    note: str | None
    relays: list[str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PositionView(View):
    """One source's position on the topic."""

    source: SourceView
    summary: str
    stances: list[StanceView]
    claim_count: int
    flagged_count: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SignalView(View):
    """A computed signal, with the exact words that triggered it."""

    kind: str
    text: str
    trigger: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ClaimView(View):
    """A claim with its curator rating, derived label and computed signals."""

    id: str
    source: str
    also_in: tuple[str, ...]  # this and the other tuples: the store's own
    speaker: str | None
    statement: str
    quote: str
    quote_language: str
    topics: tuple[str, ...]
    theses: tuple[str, ...]
    evidence: Evidence
    attribution: Attribution
    commitment: Commitment
    framing: Framing
    label: Label
    label_text: str
    flagged: bool
    key: bool
    reason: str
    evidence_refs: tuple[EvidenceRef, ...]
    signals: list[SignalView]
    corroborated_by: list[str]
    contradicted_by: list[str]
    origins: list[str]
    relays: list[str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Reason(View):
    """Why a claim is flagged: the curator's rating, or a computed signal (kept visibly apart)."""

    by: Literal["curator", "signal"]
    kind: str
    text: str
    trigger: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class FlagView(View):
    """A flagged claim with every reason it is flagged."""

    id: str
    source: str
    speaker: str | None
    statement: str
    quote: str
    label: Label
    label_text: str
    reasons: list[Reason]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Relation(View):
    """Two claims of different sources that agree or conflict."""

    kind: Literal["corroborates", "contradicts"]
    claims: tuple[str, str]
    sources: tuple[str, str]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Brief(View):
    """Everything a brief on one topic shows; serialised as the stable JSON contract."""

    # 2: labels gained `forecast` (hedged not-checkable claims, no longer `speculative`); claim origins
    # are per claim (only relayed claims inherit the relayed outlet); tallies gained *_origins.
    schema_version: Literal[2] = 2
    store_version: str
    topic: TopicView
    theses: list[ThesisTally]
    positions: list[PositionView]
    claims: list[ClaimView]
    flagged: list[FlagView]
    independent_origins: list[str]
    relations: list[Relation]
    sources: list[SourceView]


def origins_of(store: Store, source_id: str) -> list[str]:
    """The sources at the root of a source's `derived_from` chain (itself when it relays none)."""
    return source_roots(store.sources, source_id)


def source_view(store: Store, source: Source) -> SourceView:
    """A source as shown in a brief, with its independent origins."""
    return SourceView(
        id=source.id, title=source.title, outlet=source.outlet, author=source.author,
        kind=source.kind, language=source.language, published=source.published, url=source.url,
        archive=source.archive, note=source.note, derived_from=list(source.derived_from),
        origins=origins_of(store, source.id),
    )


def backlinks(store: Store, entries: list[ClaimEntry]) -> dict[str, dict[str, set[str]]]:
    links: dict[str, dict[str, set[str]]] = {}
    for entry in entries:
        c = entry.claim
        for kind in ("corroborates", "contradicts"):
            for other in getattr(c, kind):
                links.setdefault(c.id, {}).setdefault(kind, set()).add(other)
                links.setdefault(other, {}).setdefault(kind, set()).add(c.id)
    return links


def claim_origins(store: Store, entry: ClaimEntry, corroborated_by: list[str]) -> list[str]:
    """Independent origins behind a claim: its own (see bot.core.origins), and those of claims that
    corroborate it (which, by the store's rule, assert the same fact from other origins)."""
    found = set(own_origins(store.sources, entry.claim, entry.source))
    for other in corroborated_by:
        if other in store.claims:
            e = store.claims[other]
            found.update(own_origins(store.sources, e.claim, e.source))
    return sorted(found)


# Views never change what they hold, so they share lists with the claim models and one empty list: a
# view per claim of a 100k-claim store would otherwise carry a million list copies.
_NOTHING: list[Any] = []


def _shared(items: list[Any]) -> list[Any]:
    return items if items else _NOTHING


class _Pool:
    """One object for each of many equal immutable parts of views (a signal and its text, the few
    lists of signals claims have, a claim's single origin), so 100k views do not each hold a copy.
    Only sharing is lost when it is emptied at its limit: every part is built the same way again."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self.kept.get(key)

    def put(self, key: Any, value: Any) -> Any:
        if len(self.kept) >= self.limit:
            self.kept.clear()
        self.kept[key] = value
        return value


SHARED_LIMIT = 100_000
_SIGNAL_VIEWS = _Pool(SHARED_LIMIT)   # (kind, detail, trigger) -> SignalView
_SIGNAL_LISTS = _Pool(SHARED_LIMIT)   # a claim's signals, as those keys -> list[SignalView]
_SIGNAL_REASONS = _Pool(SHARED_LIMIT)  # id of a shared signal list -> (the list, its flagged-list reasons)
_ORIGINS = _Pool(SHARED_LIMIT)        # a single origin -> [it]


def claim_view(store: Store, entry: ClaimEntry, links: LinkLookup) -> ClaimView:
    """One claim as the brief shows it."""
    c = entry.claim
    label = label_of(c)
    mine = links.get(c.id, {})
    corroborated = _shared(sorted(mine.get("corroborates", ())))
    origins = claim_origins(store, entry, corroborated)
    if len(origins) == 1:
        origins = _ORIGINS.get(origins[0]) or _ORIGINS.put(origins[0], origins)
    return ClaimView(
        id=c.id, source=entry.source.id, also_in=c.also_in, speaker=c.speaker,
        statement=c.statement, quote=c.quote, quote_language=entry.source.language,
        topics=c.topics, theses=c.theses, evidence=c.evidence,
        attribution=c.attribution, commitment=c.commitment, framing=c.framing, label=label,
        label_text=LABEL_TEXT[label], flagged=is_flagged(c), key=c.key, reason=c.reason,
        evidence_refs=c.evidence_refs, signals=_signal_views(claim_signals(c)),
        corroborated_by=corroborated, contradicted_by=_shared(sorted(mine.get("contradicts", ()))),
        origins=origins,
        relays=_shared(claim_relays(c, entry.source)),
    )


def _signal_views(signals: list[Signal]) -> list[SignalView]:
    """A claim's signals as views: the one shared list of these signals (most claims repeat a few)."""
    if not signals:
        return _NOTHING
    key = tuple((s.kind, s.detail, s.trigger) for s in signals)
    found: list[SignalView] | None = _SIGNAL_LISTS.get(key)
    if found is None:
        found = _SIGNAL_LISTS.put(key, [_SIGNAL_VIEWS.get(k) or _SIGNAL_VIEWS.put(k, _signal_view(s))
                                        for k, s in zip(key, signals)])
    return found


def _signal_view(signal: Signal) -> SignalView:
    text = SIGNAL_TEXT[signal.kind] + (f" ({signal.detail})" if signal.detail else "")
    return SignalView(kind=signal.kind.value, text=sys.intern(text), trigger=signal.trigger)


def _maker(cls: type[Any]) -> Callable[..., Any]:
    """A constructor of a view type that takes every field in order, for the views each brief builds
    again (flagged-list entries, relations): the frozen dataclass `__init__` sets each field through
    `object.__setattr__`, which made those 2.5x slower to build. The same object either way."""
    names = [f.name for f in dataclasses.fields(cls)]
    slots = {f"_{n}": getattr(cls, n).__set__ for n in names}
    body = "".join(f"    _{n}(o, {n})\n" for n in names)
    code = f"def make({', '.join(names)}):\n    o = _new(_cls)\n{body}    return o\n"
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **slots}
    exec(code, scope)  # noqa: S102 - as dataclasses builds __init__; only field names go in
    return scope["make"]  # type: ignore[no-any-return]


_flag = _maker(FlagView)
_reason = _maker(Reason)
_relation = _maker(Relation)
_LABEL_KINDS = {label: label.value for label in LABEL_REASON}
_LABEL_PREFIX = {label: f"{text} " for label, text in LABEL_REASON.items()}


def flag_view(view: ClaimView) -> FlagView:
    """The flagged-list entry for a claim: curator reasons first, then computed signals."""
    reasons = []
    label = view.label
    if label in _LABEL_PREFIX:
        reasons.append(_reason("curator", _LABEL_KINDS[label], _LABEL_PREFIX[label] + view.reason, None))
    if view.framing is Framing.LOADED:
        # The curator's reason is shown once: with the label's warning, or here when framing is the only flag.
        text = LOADED_REASON if reasons else f"{LOADED_REASON} {view.reason}"
        reasons.append(_reason("curator", "loaded-framing", text, None))
    signals = _signal_reasons(view.signals) if view.signals else _NOTHING
    return _flag(view.id, view.source, view.speaker, view.statement, view.quote, label, view.label_text,
                 reasons + signals if reasons else signals)  # type: ignore[no-any-return]


def _signal_reasons(signals: list[SignalView]) -> list[Reason]:
    """The flagged-list reasons of a claim's signals; one list for each shared list of signals."""
    if not signals:
        return _NOTHING
    found = _SIGNAL_REASONS.get(id(signals))
    if found is not None and found[0] is signals:  # the pool holds the list, so its id is not reused meanwhile
        return found[1]  # type: ignore[no-any-return]
    reasons = [Reason(by="signal", kind=s.kind, text=s.text, trigger=s.trigger) for s in signals]
    return _SIGNAL_REASONS.put(id(signals), (signals, reasons))[1]  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    """A claim's view as one snapshot shows it, and a digest of it and its flagged-list entry (which a
    brief builds again from the view: keeping it, and the claim's relations, for every claim of a big
    store costs more memory than the views themselves)."""

    view: ClaimView
    digest: bytes  # blake2b, 8 bytes (`brief_digest` shows it in hex)


class ClaimViews:
    """One view per claim of a store snapshot, built on first use and shared by every topic's brief.

    `successor` hands the views an edit cannot have changed to the next snapshot, so an edit of one
    source rebuilds a few claims' views, not those of every brief it touches.
    """

    def __init__(self, store: Store, links: Links | None = None, built: dict[str, Built] | None = None) -> None:
        self.store = store
        self._links = links
        self._built: dict[str, Built] = built if built is not None else {}
        self._sources: dict[str, SourceView] = {}

    @property
    def links(self) -> Links:
        if self._links is None:
            self._links = Links(self.store.claims)
        return self._links

    def get(self, entry: ClaimEntry) -> Built:
        found = self._built.get(entry.claim.id)
        if found is None:
            view = claim_view(self.store, entry, self.links)
            flag = flag_view(view) if view.flagged else None
            found = self._built[entry.claim.id] = Built(view, _digest(view, flag))
        return found

    def source(self, source: Source) -> SourceView:
        """A source's view (its fields and independent origins), built once per snapshot."""
        found = self._sources.get(source.id)
        if found is None:
            found = self._sources[source.id] = source_view(self.store, source)
        return found

    def peek(self, claim_id: str) -> Built | None:
        """The claim's view if it is built already."""
        return self._built.get(claim_id)

    def missing(self, entries: Iterable[ClaimEntry]) -> list[ClaimEntry]:
        """The entries whose views are not built yet."""
        return [e for e in entries if e.claim.id not in self._built]

    def successor(self, store: Store, sources: set[str]) -> ClaimViews:
        """The views of `store`, this one's store with `sources` edited: every view the edit cannot change
        is kept. A view shows its claim, its source's language, the claims linked with it and the
        origins of those it corroborates, so the views of the edited sources' claims (before and after)
        and of every claim linked with one of them are dropped. An edit of a `derived_from` chain can
        move the origins of any claim: then nothing is kept."""
        old = self.store
        if self._links is None or any(_parents(old, s) != _parents(store, s) for s in sources):
            return ClaimViews(store)
        before = [c for s in sources if s in old.sources for c in old.sources[s].claims]
        after = [c for s in sources if s in store.sources for c in store.sources[s].claims]
        links = self._links.patched(store.claims, before, after)
        dropped = {c.id for c in before + after}
        for claim_id in list(dropped):
            dropped |= self._links.partners(claim_id) | links.partners(claim_id)
        built = dict(self._built)
        for claim_id in dropped:
            built.pop(claim_id, None)
        kept = ClaimViews(store, links, built)
        kept._sources = dict(self._sources)
        for source_id in sources:
            kept._sources.pop(source_id, None)
        return kept


def _parents(store: Store, source_id: str) -> tuple[str, ...]:
    source = store.sources.get(source_id)
    return tuple(source.derived_from) if source is not None else ()


def _digest(*views: object) -> bytes:
    """A digest of views as their JSON has them (pydantic's serialiser is the fastest exact one here)."""
    digest = hashlib.blake2b(digest_size=8)
    for part in views:
        digest.update(_json(part))
        digest.update(b"\x1e")
    return digest.digest()


def _json(part: object) -> bytes:
    if isinstance(part, list) and part:  # views of one kind: one call for the whole list
        return _adapter(list[type(part[0])]).dump_json(part)  # type: ignore[misc,unused-ignore]
    return _adapter(type(part)).dump_json(part)


def brief(store: Store, topic: Topic, claims: ClaimViews | None = None) -> Brief:
    """Build the brief on `topic` from one store snapshot (with the snapshot's shared claim views, when given)."""
    claims = claims if claims is not None else ClaimViews(store)
    built = [claims.get(e) for e in store.claims_for(topic.id)]
    views = [b.view for b in built]
    key = [v for v in views if v.key]
    by_source: dict[str, list[ClaimView]] = {}  # so each position counts its own claims in linear time
    for v in views:
        by_source.setdefault(v.source, []).append(v)
    positions = store.positions_for(topic.id)
    cited = {v.source for v in views} | {s.id for s, _ in positions}
    cited |= {o for s in list(cited) for o in store.sources[s].derived_from}
    return Brief(
        store_version=store.version,
        topic=TopicView(id=topic.id, title=topic.title, description=topic.description, aliases=list(topic.aliases)),
        theses=_tallies(store, topic, positions),
        positions=[_position_view(claims.source(s), p, by_source.get(s.id, [])) for s, p in positions],
        claims=key,
        flagged=[flag_view(v) for v in views if v.flagged],
        independent_origins=sorted({o for v in key for o in v.origins}),
        relations=_relations(views, store),
        sources=[claims.source(store.sources[s]) for s in sorted(cited)],
    )


def brief_digest(b: Brief, claims: ClaimViews) -> str:
    """A digest of everything `b` shows but its store version: its claims enter by their kept digests,
    as digesting every view of a big topic again costs more than building its brief."""
    shown = [claims.get(claims.store.claims[v.id]).digest.hex() for v in b.claims]
    shown += [claims.get(claims.store.claims[f.id]).digest.hex() for f in b.flagged]
    return _digest(b.topic, b.theses, b.positions, b.independent_origins, b.relations, b.sources, shown).hex()


def _tallies(store: Store, topic: Topic, positions: list[tuple[Source, Position]]) -> list[ThesisTally]:
    stances: dict[str, list[tuple[Source, ThesisStance]]] = {}  # each thesis's stances, in the positions' order
    for source, position in positions:
        for st in position.stances:
            stances.setdefault(st.thesis, []).append((source, st))
    out = []
    for thesis in topic.theses:
        by_stance: dict[Stance, list[str]] = {s: [] for s in Stance}
        origins: dict[Stance, set[str]] = {s: set() for s in Stance}
        for source, st in stances.get(thesis.id, ()):
            by_stance[st.stance].append(source.id)
            origins[st.stance].update(stance_origins(store.sources, source, st))
        out.append(ThesisTally(
            id=thesis.id, statement=thesis.statement, supports=by_stance[Stance.SUPPORTS],
            opposes=by_stance[Stance.OPPOSES], mixed=by_stance[Stance.MIXED],
            supports_origins=sorted(origins[Stance.SUPPORTS]), opposes_origins=sorted(origins[Stance.OPPOSES]),
            mixed_origins=sorted(origins[Stance.MIXED]),
        ))
    return out


def _position_view(source: SourceView, position: Position, mine: list[ClaimView]) -> PositionView:
    """A source's position, with the counts of its claims on the topic (`mine`, all of this source)."""
    return PositionView(
        source=source,
        summary=position.summary,
        stances=[StanceView(thesis=s.thesis, stance=s.stance, note=s.note, relays=list(s.relays))
                 for s in position.stances],
        claim_count=len(mine),
        flagged_count=sum(v.flagged for v in mine),
    )


def _relations(views: list[ClaimView], store: Store) -> list[Relation]:
    """Each relation of the brief's claims once, in the order its claims come (built here, not kept
    per claim: each pair of claim ids is made once a link, and serves as the relation's)."""
    seen: dict[str, set[tuple[str, str]]] = {"corroborates": set(), "contradicts": set()}
    out = []
    claims = store.claims
    for v in views:
        if v.corroborated_by is _NOTHING and v.contradicted_by is _NOTHING:  # most claims: no links
            continue
        me = v.id
        for kind, others in (("corroborates", v.corroborated_by), ("contradicts", v.contradicted_by)):
            known = seen[kind]
            for other in others:
                pair = (me, other) if me < other else (other, me)
                if pair in known:
                    continue
                entry = claims.get(other)
                if entry is None:
                    continue
                known.add(pair)
                sources = (v.source, entry.source.id) if me < other else (entry.source.id, v.source)
                out.append(_relation(kind, pair, sources))
    return out
