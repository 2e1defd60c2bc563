"""Computed signals: transparent, explainable cues found in a claim's wording.

Signals are observations, never verdicts: they are shown apart from the curator's rating and only
raise warnings in `briefbot validate` where they disagree with it.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core import lexicon
from bot.core.models import Attribution, Claim, Commitment, Evidence, Framing


class SignalKind(StrEnum):
    """The families of computed signals."""

    HEDGING = "hedging"
    ANONYMOUS = "anonymous-attribution"
    RELAY = "relayed-report"
    LOADED = "loaded-language"
    NO_EVIDENCE = "no-evidence"


SIGNAL_TEXT: dict[SignalKind, str] = {
    SignalKind.HEDGING: "hedged wording",
    SignalKind.ANONYMOUS: "anonymous attribution",
    SignalKind.RELAY: "relays another outlet's report",
    SignalKind.LOADED: "loaded language",
    SignalKind.NO_EVIDENCE: "no evidence given",
}


class Signal(BaseModel):
    """One computed cue: its family, the exact words that triggered it, and where they stand."""

    model_config = ConfigDict(frozen=True)

    kind: SignalKind
    trigger: str
    detail: str = ""
    start: int = -1
    end: int = -1


_PATTERNS = {
    SignalKind.HEDGING: lexicon.compile_all(lexicon.HEDGING),
    SignalKind.ANONYMOUS: lexicon.compile_all(lexicon.ANONYMOUS),
    SignalKind.RELAY: lexicon.compile_all(lexicon.RELAY),
    SignalKind.LOADED: lexicon.compile_all(lexicon.LOADED),
}
_CONDITIONAL = lexicon.compile_all(lexicon.CONDITIONAL)


_ONE_CHAR_FOLDS: dict[int, str] = {}  # accented letter -> its folded letter, filled as letters are met


def _fold_one(ch: str) -> str | None:
    parts = [p for p in unicodedata.normalize("NFKD", ch.lower()) if not unicodedata.combining(p)]
    return parts[0] if len(parts) == 1 else None


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case and strip accents; also return, for each folded char, its index in `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        # Fast path (nearly every English or French text): each char folds to exactly one char, so
        # indexes stay in place and one str.translate does the work.
        for ch in set(lowered):
            if ord(ch) > 127 and ord(ch) not in _ONE_CHAR_FOLDS:
                one = _fold_one(ch)
                if one is None:
                    break
                _ONE_CHAR_FOLDS[ord(ch)] = one
        else:
            return lowered.translate(_ONE_CHAR_FOLDS), list(range(len(text)))
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch.lower()):
            if not unicodedata.combining(part):
                chars.append(part)
                index.append(i)
    return "".join(chars), index


def find_signals(text: str) -> list[Signal]:
    """Every cue in `text`, in order of appearance, each with the original words that matched."""
    found = _KNOWN.get(text)
    if found is None:
        if len(_KNOWN) >= MAX_KNOWN:
            _KNOWN.clear()
        found = _KNOWN[text] = _find_signals(text)
    return list(found)


# Each quote is scanned once: at load (for validate's warnings) or when its first brief is built, or
# its signals come from the store snapshot (see remember_signals); every brief after reuses them.
MAX_KNOWN = 1_000_000
_KNOWN: dict[str, tuple[Signal, ...]] = {}


def known_signals(texts: Iterable[str]) -> dict[str, tuple[Signal, ...]]:
    """The signals already found for those of `texts` scanned so far."""
    return {t: _KNOWN[t] for t in texts if t in _KNOWN}


def remember_signals(found: dict[str, tuple[Signal, ...]]) -> None:
    """Take signals found earlier (by another process, kept in the snapshot) for these texts."""
    if len(_KNOWN) + len(found) > MAX_KNOWN:
        _KNOWN.clear()
    _KNOWN.update(found)


@functools.cache
def signals_version() -> str:
    """Changes with the code and word lists that find signals, so signals kept elsewhere go stale."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (lexicon.__file__, __file__):
        with open(module, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def _find_signals(text: str) -> tuple[Signal, ...]:
    # Cached: a quote is scanned once at load (for validate's warnings) and reused by every brief.
    folded, index = fold(text)
    spans: dict[SignalKind, list[tuple[int, int]]] = {}
    for kind, pattern in _PATTERNS.items():
        spans[kind] = [(index[a], index[b - 1] + 1) for a, b in _overlapping(pattern, folded)]
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() kept every index in place (true of French and English)
        spans[SignalKind.HEDGING] += list(_overlapping(_CONDITIONAL, lowered))
    found = [
        Signal(kind=kind, trigger=text[start:end], start=start, end=end)
        for kind, kind_spans in spans.items() for start, end in _merge(sorted(kind_spans))
    ]
    return tuple(sorted(found, key=lambda s: (s.start, s.kind)))


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Spans of every match, also those starting inside an earlier one ("selon des sources" + "sources proches")."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if m.end() > m.start():
            yield m.span()
        pos = m.start() + 1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join overlapping spans so one phrase yields one signal of a kind."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def claim_signals(claim: Claim) -> list[Signal]:
    """Signals in a claim's quote, plus 'no evidence given' when nothing backs a checkable claim."""
    signals = find_signals(claim.quote)
    if _lacks_evidence(claim):
        signals.append(Signal(kind=SignalKind.NO_EVIDENCE, trigger="", detail=_attribution_words(claim)))
    return signals


def _lacks_evidence(claim: Claim) -> bool:
    return (
        not claim.evidence_refs
        and claim.evidence is not Evidence.NOT_CHECKABLE
        and claim.attribution in (Attribution.AUTHOR, Attribution.ANONYMOUS, Attribution.RELAYED)
    )


def _attribution_words(claim: Claim) -> str:
    who = {
        Attribution.AUTHOR: "the author's own assertion",
        Attribution.ANONYMOUS: "unnamed sources",
        Attribution.RELAYED: "another outlet's report",
    }
    return f"rests on {who.get(claim.attribution, claim.attribution.value)}"


def rating_disagreements(claim: Claim) -> list[str]:
    """Where the curator's rating and the computed signals disagree, one sentence each."""
    kinds: dict[SignalKind, str] = {}
    for signal in find_signals(claim.quote):
        kinds.setdefault(signal.kind, signal.trigger)
    out = []
    if SignalKind.ANONYMOUS in kinds and claim.attribution is not Attribution.ANONYMOUS:
        out.append(
            f"claim {claim.id!r} is rated attribution {claim.attribution.value!r} but its quote has "
            f"anonymous-attribution wording {kinds[SignalKind.ANONYMOUS]!r}"
        )
    if SignalKind.ANONYMOUS in kinds and claim.evidence is Evidence.SUPPORTED:
        out.append(f"claim {claim.id!r} is rated supported but rests on {kinds[SignalKind.ANONYMOUS]!r}")
    if SignalKind.HEDGING in kinds and claim.commitment is Commitment.ASSERTED and claim.speaker is None:
        out.append(
            f"claim {claim.id!r} is rated asserted but its quote hedges: {kinds[SignalKind.HEDGING]!r}"
        )
    if SignalKind.LOADED in kinds and claim.framing is Framing.NEUTRAL:
        out.append(f"claim {claim.id!r} is rated neutral framing but its quote says {kinds[SignalKind.LOADED]!r}")
    if claim.evidence is Evidence.SUPPORTED and not claim.evidence_refs:
        out.append(f"claim {claim.id!r} is rated supported but lists no evidence_refs")
    return out
