"""The one rule that turns a claim's three rating axes into the label a reader sees.

The first matching line wins:

1. evidence contradicted                      -> contradicted
2. evidence disputed                          -> disputed
3. evidence supported                         -> supported
4. attribution anonymous                      -> anonymous   (anonymous sources only)
5. commitment possible or probable            -> speculative
6. evidence not-checkable (asserted)          -> opinion
7. otherwise (unsupported, asserted)          -> unsupported

Flagged labels are contradicted, disputed, anonymous, speculative and unsupported. A claim whose
framing the curator marked as loaded is flagged whatever its label.
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
    OPINION = "opinion"


LABEL_TEXT: dict[Label, str] = {
    Label.SUPPORTED: "Supported",
    Label.CONTRADICTED: "Contradicted by the record",
    Label.DISPUTED: "Disputed",
    Label.ANONYMOUS: "Anonymous sources only",
    Label.SPECULATIVE: "Speculative",
    Label.UNSUPPORTED: "Unsupported",
    Label.OPINION: "Opinion",
}

LABEL_EMOJI: dict[Label, str] = {
    Label.SUPPORTED: "✅",
    Label.CONTRADICTED: "❌",
    Label.DISPUTED: "⚖️",
    Label.ANONYMOUS: "🕶️",
    Label.SPECULATIVE: "🤔",
    Label.UNSUPPORTED: "⚠️",
    Label.OPINION: "💬",
}

FLAGGED_LABELS = frozenset(
    {Label.CONTRADICTED, Label.DISPUTED, Label.ANONYMOUS, Label.SPECULATIVE, Label.UNSUPPORTED}
)

# Sentences that explain each flagged label; used as the curator's part of a flag's reasons.
LABEL_REASON: dict[Label, str] = {
    Label.CONTRADICTED: "the public record contradicts it",
    Label.DISPUTED: "the evidence on it conflicts",
    Label.ANONYMOUS: "it rests on anonymous sources only",
    Label.SPECULATIVE: "it is put as a possibility, not a fact",
    Label.UNSUPPORTED: "it is asserted with no evidence given",
}


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
    if commitment in (Commitment.POSSIBLE, Commitment.PROBABLE):
        return Label.SPECULATIVE
    if evidence is Evidence.NOT_CHECKABLE:
        return Label.OPINION
    return Label.UNSUPPORTED


def label_of(claim: Claim) -> Label:
    """The label a reader sees for a claim."""
    return derive_label(claim.evidence, claim.attribution, claim.commitment)


def is_flagged(claim: Claim) -> bool:
    """Whether a claim belongs in a brief's flagged list."""
    return label_of(claim) in FLAGGED_LABELS or claim.framing is Framing.LOADED
