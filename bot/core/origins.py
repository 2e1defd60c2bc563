"""Where a claim or a stance comes from: independent origins, followed per claim, not per source.

A rewrite that relays a newspaper's report has that newspaper as the origin of what it relays, but its
own assertions and opinions are its own. So a relayed outlet is inherited only by a claim (or a thesis
stance) that relays it: `relays: [...]` on the claim or stance, or, for a claim, attribution `relayed`
(which then relays its source's `derived_from`).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.core.labels import is_checkable
from bot.core.models import Attribution, Claim, Source, ThesisStance


def source_roots(sources: Mapping[str, Source], source_id: str, _seen: frozenset[str] = frozenset()) -> list[str]:
    """The sources at the root of a source's `derived_from` chain (itself when it relays none)."""
    source = sources.get(source_id)
    if source is None or not source.derived_from or source_id in _seen:
        return [source_id]
    roots: set[str] = set()
    for parent in source.derived_from:
        roots.update(source_roots(sources, parent, _seen | {source_id}))
    return sorted(roots)


def claim_relays(claim: Claim, source: Source) -> list[str]:
    """The sources whose reporting a claim relays (none when it is its source's own assertion)."""
    if claim.relays:
        return list(claim.relays)
    if claim.attribution is Attribution.RELAYED:
        return list(source.derived_from)
    return []


def _roots(sources: Mapping[str, Source], relayed: list[str], own: str) -> set[str]:
    if not relayed:
        return {own}
    return {root for s in relayed for root in source_roots(sources, s)}


def claim_origins(sources: Mapping[str, Source], claim: Claim, source: Source) -> list[str]:
    """A claim's own independent origins: what it relays, else its source; plus each `also_in` source."""
    found = _roots(sources, claim_relays(claim, source), source.id)
    # Another source carrying the same claim carries it in its own voice, unless it only relays us.
    found |= {s for s in claim.also_in if source.id not in source_roots(sources, s)}
    return sorted(found)


def stance_origins(sources: Mapping[str, Source], source: Source, stance: ThesisStance) -> list[str]:
    """The origins a source's stance counts under in a thesis tally."""
    return sorted(_roots(sources, list(stance.relays), source.id))


@dataclass(frozen=True)
class OriginProblem:
    """A link or stance that would count one origin twice: where it is (a path in its file) and why."""

    source: str
    path: tuple[str | int, ...]
    message: str


def origin_problems(sources: list[Source]) -> Iterator[OriginProblem]:
    """Every place where the store would count one report twice."""
    yield from corroboration_problems(sources)
    yield from relayed_stance_problems(sources)


def corroboration_problems(sources: list[Source]) -> Iterator[OriginProblem]:
    """Corroboration joins checkable claims from independent origins; say where it does not."""
    by_id = {s.id: s for s in sources}
    claims = {c.id: (c, s) for s in sources for c in s.claims}
    for source in sources:
        for i, claim in enumerate(source.claims):
            for j, other_id in enumerate(claim.corroborates):
                if other_id not in claims:
                    continue  # an unknown id is already an error
                other, other_source = claims[other_id]
                message = _link_problem(by_id, claim, source, other, other_source)
                if message:
                    yield OriginProblem(source.id, ("claims", i, "corroborates", j), message)


def relayed_stance_problems(sources: list[Source]) -> Iterator[OriginProblem]:
    """A relayer sharing the stance of a source we know only through it must say it relays it."""
    by_id = {s.id: s for s in sources}
    stances = {(s.id, p.topic, st.thesis): st.stance for s in sources for p in s.positions for st in p.stances}
    for source in sources:
        relayed_only = [r for r in source.derived_from if r in by_id and by_id[r].archive is None]
        for i, position in enumerate(source.positions):
            for k, st in enumerate(position.stances):
                for r in relayed_only:
                    if stances.get((r, position.topic, st.thesis)) is st.stance and r not in st.relays:
                        yield OriginProblem(source.id, ("positions", i, "stances", k), (
                            f"{source.id!r} takes the stance of {r!r} on thesis {st.thesis!r}, a source known only "
                            f"through it: say `relays: [{r}]` if the stance rests on that report, or the report "
                            "counts twice"))


def _link_problem(by_id: Mapping[str, Source], claim: Claim, source: Source, other: Claim, other_source: Source) -> str:
    for c in (claim, other):
        if not is_checkable(c):
            return (f"claim {claim.id!r} corroborates {other.id!r}, but {c.id!r} is not checkable (a forecast "
                    "or opinion corroborates nothing; use also_in for the same claim in another source)")
    shared = set(claim_origins(by_id, claim, source)) & set(claim_origins(by_id, other, other_source))
    if shared:
        return (f"claim {claim.id!r} corroborates {other.id!r}, but both rest on {', '.join(sorted(shared))}: "
                "corroboration needs independent origins")
    return ""
