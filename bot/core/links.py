"""Which claims corroborate or contradict which, in both directions, over a whole store snapshot.

A claim declares the claims it corroborates or contradicts; a brief shows each link on both claims.
The declared side is on the claim itself, so only the reverse side is indexed here, and an edit of a
few sources patches that index instead of scanning every claim again. The index keeps tuples: a
30k-entry index of frozensets (216 bytes each at the least) was 6 MB of a 100k-claim store.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from bot.core.models import Claim
from bot.core.store import ClaimEntry

LinkKind = Literal["corroborates", "contradicts"]
KINDS: tuple[LinkKind, LinkKind] = ("corroborates", "contradicts")
_NONE: tuple[str, ...] = ()


class Links:
    """Both directions of every claim link of one store: `get(claim_id)` is {kind: ids linked}."""

    def __init__(self, claims: Mapping[str, ClaimEntry],
                 reverse: dict[LinkKind, dict[str, tuple[str, ...]]] | None = None) -> None:
        self._claims = claims
        self._reverse = reverse if reverse is not None else _reverse_index(e.claim for e in claims.values())

    def get(self, claim_id: str, default: object = None) -> dict[str, set[str]]:
        """The ids each kind links `claim_id` with, whichever of the two declared it (empty kinds left out)."""
        entry = self._claims.get(claim_id)
        claim = entry.claim if entry is not None else None
        out: dict[str, set[str]] = {}
        for kind in KINDS:
            ids = set(getattr(claim, kind)) if claim is not None else set()
            ids.update(self._reverse[kind].get(claim_id, _NONE))
            if ids:
                out[kind] = ids
        return out

    def partners(self, claim_id: str) -> set[str]:
        """Every claim linked with `claim_id`, by either kind and either direction."""
        return {other for ids in self.get(claim_id).values() for other in ids}

    def patched(self, claims: Mapping[str, ClaimEntry], before: Iterable[Claim], after: Iterable[Claim]) -> Links:
        """The links of a store whose claims are `claims`, where `before` were replaced by `after`."""
        reverse = {kind: dict(index) for kind, index in self._reverse.items()}
        for claim, change in [(c, -1) for c in before] + [(c, +1) for c in after]:
            for kind in KINDS:
                for other in getattr(claim, kind):
                    found = reverse[kind].get(other, _NONE)
                    if change > 0:
                        reverse[kind][other] = found if claim.id in found else (*found, claim.id)
                    elif claim.id in found:
                        left = tuple(c for c in found if c != claim.id)
                        if left:
                            reverse[kind][other] = left
                        else:
                            del reverse[kind][other]
        return Links(claims, reverse)


def _reverse_index(claims: Iterable[Claim]) -> dict[LinkKind, dict[str, tuple[str, ...]]]:
    building: dict[LinkKind, dict[str, set[str]]] = {kind: {} for kind in KINDS}
    for claim in claims:
        for kind in KINDS:
            for other in getattr(claim, kind):
                building[kind].setdefault(other, set()).add(claim.id)
    return {kind: {k: tuple(v) for k, v in index.items()} for kind, index in building.items()}
