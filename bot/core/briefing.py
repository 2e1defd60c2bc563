"""brief(store, topic) -> Brief: the platform-neutral brief, and the JSON contract of `--format json`."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.flags import SIGNAL_TEXT, Signal, claim_signals
from bot.core.labels import LABEL_REASON, LABEL_TEXT, LOADED_REASON, Label, is_flagged, label_of
from bot.core.models import (
    Attribution, Commitment, Evidence, EvidenceRef, Framing, Position, Source, SourceKind, Stance, Topic,
)
from bot.core.origins import claim_origins as own_origins, claim_relays, source_roots, stance_origins
from bot.core.store import ClaimEntry, Store


class View(BaseModel):
    """Base of the brief's JSON contract: immutable, every field always present."""

    model_config = ConfigDict(frozen=True)


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


class TopicView(View):
    """The topic a brief is about."""

    id: str
    title: str
    description: str
    aliases: list[str]


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


class StanceView(View):
    """A source's stance on one thesis."""

    thesis: str
    stance: Stance
    note: str | None
    relays: list[str]


class PositionView(View):
    """One source's position on the topic."""

    source: SourceView
    summary: str
    stances: list[StanceView]
    claim_count: int
    flagged_count: int


class SignalView(View):
    """A computed signal, with the exact words that triggered it."""

    kind: str
    text: str
    trigger: str


class ClaimView(View):
    """A claim with its curator rating, derived label and computed signals."""

    id: str
    source: str
    also_in: list[str]
    speaker: str | None
    statement: str
    quote: str
    quote_language: str
    topics: list[str]
    theses: list[str]
    evidence: Evidence
    attribution: Attribution
    commitment: Commitment
    framing: Framing
    label: Label
    label_text: str
    flagged: bool
    key: bool
    reason: str
    evidence_refs: list[EvidenceRef]
    signals: list[SignalView]
    corroborated_by: list[str]
    contradicted_by: list[str]
    origins: list[str]
    relays: list[str]


class Reason(View):
    """Why a claim is flagged: the curator's rating, or a computed signal (kept visibly apart)."""

    by: Literal["curator", "signal"]
    kind: str
    text: str
    trigger: str | None = None


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


class Relation(View):
    """Two claims of different sources that agree or conflict."""

    kind: Literal["corroborates", "contradicts"]
    claims: tuple[str, str]
    sources: tuple[str, str]


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


def claim_view(store: Store, entry: ClaimEntry, links: dict[str, dict[str, set[str]]]) -> ClaimView:
    """One claim as the brief shows it."""
    c = entry.claim
    label = label_of(c)
    mine = links.get(c.id, {})
    corroborated = sorted(mine.get("corroborates", set()))
    return ClaimView(
        id=c.id, source=entry.source.id, also_in=list(c.also_in), speaker=c.speaker,
        statement=c.statement, quote=c.quote, quote_language=entry.source.language,
        topics=list(c.topics), theses=list(c.theses), evidence=c.evidence,
        attribution=c.attribution, commitment=c.commitment, framing=c.framing, label=label,
        label_text=LABEL_TEXT[label], flagged=is_flagged(c), key=c.key, reason=c.reason,
        evidence_refs=list(c.evidence_refs), signals=[_signal_view(s) for s in claim_signals(c)],
        corroborated_by=corroborated, contradicted_by=sorted(mine.get("contradicts", set())),
        origins=claim_origins(store, entry, corroborated),
        relays=claim_relays(c, entry.source),
    )


def _signal_view(signal: Signal) -> SignalView:
    text = SIGNAL_TEXT[signal.kind] + (f" ({signal.detail})" if signal.detail else "")
    return SignalView(kind=signal.kind.value, text=text, trigger=signal.trigger)


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


def brief(store: Store, topic: Topic) -> Brief:
    """Build the brief on `topic` from one store snapshot."""
    entries = store.claims_for(topic.id)
    links = backlinks(store, entries)
    views = [claim_view(store, e, links) for e in entries]
    key = [v for v in views if v.key]
    positions = store.positions_for(topic.id)
    cited = {v.source for v in views} | {s.id for s, _ in positions}
    cited |= {o for s in list(cited) for o in store.sources[s].derived_from}
    return Brief(
        store_version=store.version,
        topic=TopicView(id=topic.id, title=topic.title, description=topic.description, aliases=list(topic.aliases)),
        theses=_tallies(store, topic, positions),
        positions=[_position_view(store, s, p, views) for s, p in positions],
        claims=key,
        flagged=[flag_view(v) for v in views if v.flagged],
        independent_origins=sorted({o for v in key for o in v.origins}),
        relations=_relations(views, store),
        sources=[source_view(store, store.sources[s]) for s in sorted(cited)],
    )


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


def _position_view(store: Store, source: Source, position: Position, views: list[ClaimView]) -> PositionView:
    mine = [v for v in views if v.source == source.id]
    return PositionView(
        source=source_view(store, source),
        summary=position.summary,
        stances=[StanceView(thesis=s.thesis, stance=s.stance, note=s.note, relays=list(s.relays))
                 for s in position.stances],
        claim_count=len(mine),
        flagged_count=sum(v.flagged for v in mine),
    )


def _relations(views: list[ClaimView], store: Store) -> list[Relation]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for v in views:
        for kind, others in (("corroborates", v.corroborated_by), ("contradicts", v.contradicted_by)):
            for other in others:
                a, b = sorted((v.id, other))
                if (kind, a, b) in seen or other not in store.claims:
                    continue
                seen.add((kind, a, b))
                out.append(Relation(kind=kind, claims=(a, b),  # type: ignore[arg-type]
                                    sources=(store.claims[a].source.id, store.claims[b].source.id)))
    return out
