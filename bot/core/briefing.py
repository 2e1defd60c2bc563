"""brief(store, topic) -> Brief: the platform-neutral brief, and the JSON contract of `--format json`."""
from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from pydantic import TypeAdapter

from bot.core.flags import SIGNAL_TEXT, Signal, claim_signals
from bot.core.labels import LABEL_REASON, LABEL_TEXT, LOADED_REASON, Label, is_flagged, label_of
from bot.core.models import (
    Attribution, Commitment, Evidence, EvidenceRef, Framing, Position, Source, SourceKind, Stance, Topic,
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


def claim_view(store: Store, entry: ClaimEntry, links: LinkLookup) -> ClaimView:
    """One claim as the brief shows it."""
    c = entry.claim
    label = label_of(c)
    mine = links.get(c.id, {})
    corroborated = _shared(sorted(mine.get("corroborates", ())))
    return ClaimView(
        id=c.id, source=entry.source.id, also_in=c.also_in, speaker=c.speaker,
        statement=c.statement, quote=c.quote, quote_language=entry.source.language,
        topics=c.topics, theses=c.theses, evidence=c.evidence,
        attribution=c.attribution, commitment=c.commitment, framing=c.framing, label=label,
        label_text=LABEL_TEXT[label], flagged=is_flagged(c), key=c.key, reason=c.reason,
        evidence_refs=c.evidence_refs, signals=_shared([_signal_view(s) for s in claim_signals(c)]),
        corroborated_by=corroborated, contradicted_by=_shared(sorted(mine.get("contradicts", ()))),
        origins=claim_origins(store, entry, corroborated),
        relays=_shared(claim_relays(c, entry.source)),
    )


def _signal_view(signal: Signal) -> SignalView:
    text = SIGNAL_TEXT[signal.kind] + (f" ({signal.detail})" if signal.detail else "")
    return SignalView(kind=signal.kind.value, text=sys.intern(text), trigger=signal.trigger)


def flag_view(view: ClaimView) -> FlagView:
    """The flagged-list entry for a claim: curator reasons first, then computed signals."""
    reasons = []
    if view.label in LABEL_REASON:
        reasons.append(Reason(by="curator", kind=view.label.value, text=f"{LABEL_REASON[view.label]} {view.reason}"))
    if view.framing is Framing.LOADED:
        # The curator's reason is shown once: with the label's warning, or here when framing is the only flag.
        text = LOADED_REASON if reasons else f"{LOADED_REASON} {view.reason}"
        reasons.append(Reason(by="curator", kind="loaded-framing", text=text))
    reasons += [Reason(by="signal", kind=s.kind, text=s.text, trigger=s.trigger) for s in view.signals]
    return FlagView(
        id=view.id, source=view.source, speaker=view.speaker, statement=view.statement,
        quote=view.quote, label=view.label, label_text=view.label_text, reasons=reasons,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    """A claim's view as one snapshot shows it, its flagged-list entry, and a digest of both."""

    view: ClaimView
    flag: FlagView | None
    digest: str
    relations: tuple[tuple[tuple[str, str, str], Relation], ...]  # its links as a brief lists them, by (kind, a, b)


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
            found = self._built[entry.claim.id] = Built(view, flag, _digest(view, flag), _relations_of(view, self.store))
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


def _digest(*views: object) -> str:
    """A digest of views as their JSON has them (pydantic's serialiser is the fastest exact one here)."""
    digest = hashlib.blake2b(digest_size=8)
    for part in views:
        digest.update(_json(part))
        digest.update(b"\x1e")
    return digest.hexdigest()


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
        flagged=[b.flag for b in built if b.flag is not None],
        independent_origins=sorted({o for v in key for o in v.origins}),
        relations=_relations(built),
        sources=[claims.source(store.sources[s]) for s in sorted(cited)],
    )


def brief_digest(b: Brief, claims: ClaimViews) -> str:
    """A digest of everything `b` shows but its store version: its claims enter by their kept digests,
    as digesting every view of a big topic again costs more than building its brief."""
    shown = [claims.get(claims.store.claims[v.id]).digest for v in b.claims]
    shown += [claims.get(claims.store.claims[f.id]).digest for f in b.flagged]
    return _digest(b.topic, b.theses, b.positions, b.independent_origins, b.relations, b.sources, shown)


def _tallies(store: Store, topic: Topic, positions: list[tuple[Source, Position]]) -> list[ThesisTally]:
    out = []
    for thesis in topic.theses:
        by_stance: dict[Stance, list[str]] = {s: [] for s in Stance}
        origins: dict[Stance, set[str]] = {s: set() for s in Stance}
        for source, position in positions:
            for st in position.stances:
                if st.thesis == thesis.id:
                    by_stance[st.stance].append(source.id)
                    origins[st.stance].update(stance_origins(store.sources, source, st))
        out.append(ThesisTally(
            id=thesis.id, statement=thesis.statement, supports=by_stance[Stance.SUPPORTS],
            opposes=by_stance[Stance.OPPOSES], mixed=by_stance[Stance.MIXED],
            supports_origins=sorted(origins[Stance.SUPPORTS]), opposes_origins=sorted(origins[Stance.OPPOSES]),
            mixed_origins=sorted(origins[Stance.MIXED]),
        ))
    return out


def _position_view(source: SourceView, position: Position, views: list[ClaimView]) -> PositionView:
    mine = [v for v in views if v.source == source.id]
    return PositionView(
        source=source,
        summary=position.summary,
        stances=[StanceView(thesis=s.thesis, stance=s.stance, note=s.note, relays=list(s.relays))
                 for s in position.stances],
        claim_count=len(mine),
        flagged_count=sum(v.flagged for v in mine),
    )


def _relations_of(v: ClaimView, store: Store) -> tuple[tuple[tuple[str, str, str], Relation], ...]:
    out = []
    for kind, others in (("corroborates", v.corroborated_by), ("contradicts", v.contradicted_by)):
        for other in others:
            if other not in store.claims:
                continue
            a, b = (v.id, other) if v.id < other else (other, v.id)
            out.append(((kind, a, b), Relation(kind=kind, claims=(a, b),  # type: ignore[arg-type]
                                               sources=(store.claims[a].source.id, store.claims[b].source.id))))
    return tuple(out)


def _relations(built: list[Built]) -> list[Relation]:
    """Each relation of the brief's claims once, in the order its claims come."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for b in built:
        for key, relation in b.relations:
            if key not in seen:
                seen.add(key)
                out.append(relation)
    return out
