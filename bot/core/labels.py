"""The one rule that turns a claim's three rating axes into the label a reader sees.

The first matching line wins (the README's label table states the same rule, and a test reads both):

1. evidence contradicted                                  -> contradicted
2. evidence disputed                                      -> disputed
3. evidence supported                                     -> supported
4. attribution anonymous                                  -> anonymous   (anonymous sources only)
5. evidence not-checkable, commitment possible/probable   -> forecast    (a hedged prediction or option)
6. evidence not-checkable                                 -> opinion
7. commitment possible or probable                        -> speculative (a checkable fact told as a
                                                             possibility: an unconfirmed report)
8. otherwise                                              -> unsupported

A hedged forecast is not a false claim: it is shown as what it is and not flagged. Flagged labels are
contradicted, disputed, anonymous, speculative and unsupported; a claim whose framing the curator
marked as loaded is flagged whatever its label.
"""
from __future__ import annotations

from enum import StrEnum

from bot.core.models import Attribution, Claim, Commitment, Evidence, Framing


class Label(StrEnum):
    """What a reader sees next to a claim."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    DISPUTED = "disputed"
    ANONYMOUS = "anonymous"
    SPECULATIVE = "speculative"
    UNSUPPORTED = "unsupported"
    FORECAST = "forecast"
    OPINION = "opinion"


LABEL_TEXT: dict[Label, str] = {
    Label.SUPPORTED: "Supported",
    Label.CONTRADICTED: "Contradicted by the record",
    Label.DISPUTED: "Disputed",
    Label.ANONYMOUS: "Anonymous sources only",
    Label.SPECULATIVE: "Speculative",
    Label.UNSUPPORTED: "Unsupported",
    Label.FORECAST: "Forecast",
    Label.OPINION: "Opinion",
}

LABEL_EMOJI: dict[Label, str] = {
    Label.SUPPORTED: "✅",
    Label.CONTRADICTED: "❌",
    Label.DISPUTED: "⚖️",
    Label.ANONYMOUS: "🕶️",
    Label.SPECULATIVE: "🤔",
    Label.UNSUPPORTED: "⚠️",
    Label.FORECAST: "🔮",
    Label.OPINION: "💬",
}

FLAGGED_LABELS = frozenset(
    {Label.CONTRADICTED, Label.DISPUTED, Label.ANONYMOUS, Label.SPECULATIVE, Label.UNSUPPORTED}
)

# What each flagged label warns a reader about; the curator's own reason follows it in a brief.
LABEL_REASON: dict[Label, str] = {
    Label.CONTRADICTED: "The public record contradicts it.",
    Label.DISPUTED: "The evidence on it conflicts.",
    Label.ANONYMOUS: "It rests on anonymous sources only.",
    Label.SPECULATIVE: "A checkable fact reported only as a possibility, unconfirmed.",
    Label.UNSUPPORTED: "Asserted as fact with no evidence given.",
}
LOADED_REASON = "Loaded framing."

_HEDGED = (Commitment.POSSIBLE, Commitment.PROBABLE)


def derive_label(evidence: Evidence, attribution: Attribution, commitment: Commitment) -> Label:
    """Apply the documented rule above to one claim's axes."""
    if evidence is Evidence.CONTRADICTED:
        return Label.CONTRADICTED
    if evidence is Evidence.DISPUTED:
        return Label.DISPUTED
    if evidence is Evidence.SUPPORTED:
        return Label.SUPPORTED
    if attribution is Attribution.ANONYMOUS:
        return Label.ANONYMOUS
    if evidence is Evidence.NOT_CHECKABLE:
        return Label.FORECAST if commitment in _HEDGED else Label.OPINION
    if commitment in _HEDGED:
        return Label.SPECULATIVE
    return Label.UNSUPPORTED


def label_of(claim: Claim) -> Label:
    """The label a reader sees for a claim."""
    return derive_label(claim.evidence, claim.attribution, claim.commitment)


def is_flagged(claim: Claim) -> bool:
    """Whether a claim belongs in a brief's flagged list."""
    return label_of(claim) in FLAGGED_LABELS or claim.framing is Framing.LOADED


def is_checkable(claim: Claim) -> bool:
    """Whether a claim states a fact that evidence can bear on (forecasts and opinions do not)."""
    return claim.evidence is not Evidence.NOT_CHECKABLE
