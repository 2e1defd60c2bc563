"""Exports for other tools: schema.org ClaimReview JSON-LD of every reviewed claim, and the whole store.

The reader's label is the textual rating (`alternateName`); its number is derived from the label by
this one mapping, on Google's 1 (false) to 5 (true) scale:

    supported     5   the record supports it
    disputed      3   the evidence conflicts
    unsupported   2   asserted with no evidence given
    anonymous     2   rests on anonymous sources only
    speculative   2   a checkable fact reported only as a possibility
    contradicted  1   the record contradicts it
    forecast      --  not exported: a hedged prediction is not a checkable claim, so it has no rating
    opinion       --  not exported: an opinion is not a checkable claim, so it has no rating

The text label is canonical; never edit a number without its label (a scale read backwards asserts
the opposite of the verdict).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core.permalinks import absolute, claim_path
from bot.core.labels import LABEL_TEXT, Label, label_of
from bot.core.models import Attribution, Source, SourceKind
from bot.core.origins import claim_relays
from bot.core.store import ClaimEntry, Store

RATING: dict[Label, int] = {
    Label.SUPPORTED: 5,
    Label.DISPUTED: 3,
    Label.UNSUPPORTED: 2,
    Label.ANONYMOUS: 2,
    Label.SPECULATIVE: 2,
    Label.CONTRADICTED: 1,
}
UNRATED = frozenset({Label.FORECAST, Label.OPINION})
BEST_RATING = 5
WORST_RATING = 1

_WORK_TYPE: dict[SourceKind, str] = {
    SourceKind.NEWS_REPORT: "NewsArticle",
    SourceKind.REWRITE: "NewsArticle",
    SourceKind.ANALYSIS: "AnalysisNewsArticle",
    SourceKind.OP_ED: "OpinionNewsArticle",
    SourceKind.COMMENTARY: "OpinionNewsArticle",
    SourceKind.VIDEO_BLURB: "VideoObject",
}


@dataclass(frozen=True)
class Reviewer:
    """The organisation that publishes the reviews (ClaimReview.author)."""

    name: str = "briefbot curators"
    url: str | None = None
    base_url: str | None = None

    def as_author(self) -> dict[str, Any]:
        """The schema.org Organization."""
        return _drop_none({"@type": "Organization", "name": self.name, "url": self.url})


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def appearance(source: Source) -> dict[str, Any]:
    """A source as a schema.org CreativeWork where the claim appears."""
    return _drop_none({
        "@type": _WORK_TYPE.get(source.kind, "CreativeWork"),
        "url": source.url,
        "name": source.title,
        "headline": source.title,
        "datePublished": source.published,
        "inLanguage": source.language,
        "author": {"@type": "Person", "name": source.author} if source.author else None,
        "publisher": {"@type": "Organization", "name": source.outlet},
    })


def claim_author(entry: ClaimEntry, store: Store) -> list[dict[str, Any]]:
    """Who makes the claim: the named speaker, else the author or outlet; none when anonymous."""
    claim, source = entry.claim, entry.source
    if claim.speaker:
        return [{"@type": "Person", "name": claim.speaker}]
    if claim.attribution is Attribution.ANONYMOUS:
        return []
    relayed = claim_relays(claim, source)
    if relayed:
        return [{"@type": "Organization", "name": store.sources[s].outlet} for s in relayed if s in store.sources]
    if source.author:
        return [{"@type": "Person", "name": source.author}]
    return [{"@type": "Organization", "name": source.outlet}]


def claim_review(entry: ClaimEntry, store: Store, reviewer: Reviewer, reviewed: date) -> dict[str, Any] | None:
    """The ClaimReview of one claim; None for forecasts and opinions, which carry no rating."""
    label = label_of(entry.claim)
    if label not in RATING:
        return None
    sources = [entry.source] + [store.sources[s] for s in entry.claim.also_in]
    dates = sorted(s.published for s in sources)
    item = _drop_none({
        "@type": "Claim",
        "name": entry.claim.statement,
        "text": entry.claim.quote,
        "appearance": [appearance(s) for s in sources],
        "firstAppearance": appearance(min(sources, key=lambda s: s.published)),
        "datePublished": dates[0],
        "author": claim_author(entry, store) or None,
    })
    return _drop_none({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(reviewer.base_url, claim_path(entry.claim.id)) if reviewer.base_url else None,
        "identifier": entry.claim.id,
        "claimReviewed": entry.claim.statement,
        "datePublished": reviewed.isoformat(),
        "author": reviewer.as_author(),
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING[label],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": LABEL_TEXT[label],
            "name": LABEL_TEXT[label],
            "ratingExplanation": entry.claim.reason,
        },
        "inLanguage": "en",
    })


def claim_reviews(store: Store, reviewer: Reviewer | None = None, reviewed: date | None = None) -> list[dict[str, Any]]:
    """ClaimReview JSON-LD for every rated claim of the store, in claim id order."""
    reviewer = reviewer or Reviewer()
    when = reviewed or store.loaded_at.date()
    reviews = (claim_review(store.claims[cid], store, reviewer, when) for cid in sorted(store.claims))
    return [r for r in reviews if r is not None]


def store_json(store: Store) -> dict[str, Any]:
    """The whole store as JSON: topics and sources as in briefs/, plus each claim's derived label."""
    return {
        "schema_version": 2,
        "store_version": store.version,
        "topics": [store.topics[t].model_dump(mode="json") for t in sorted(store.topics)],
        "sources": [store.sources[s].model_dump(mode="json") for s in sorted(store.sources)],
        "labels": {cid: label_of(store.claims[cid].claim).value for cid in sorted(store.claims)},
    }
