"""Computed signals: transparent, explainable cues found in a claim's wording.

Signals are observations, never verdicts: they are shown apart from the curator's rating and only
raise warnings in `briefbot validate` where they disagree with it.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
import unicodedata
from enum import StrEnum

from bot.core import lexicon
from bot.core.models import Attribution, Claim, Commitment, Evidence, Framing


class SignalKind(StrEnum):
    """The families of computed signals."""

    HEDGING = "hedging"
    ANONYMOUS = "anonymous-attribution"
    RELAY = "relayed-report"
    LOADED = "loaded-language"
    ONE_SIDED = "one-sided-term"
    NO_EVIDENCE = "no-evidence"


SIGNAL_TEXT: dict[SignalKind, str] = {
    SignalKind.HEDGING: "hedged wording",
    SignalKind.ANONYMOUS: "anonymous attribution",
    SignalKind.RELAY: "relays another outlet's report",
    SignalKind.LOADED: "loaded language",
    SignalKind.ONE_SIDED: "one side's term, used as the text's own",
    SignalKind.NO_EVIDENCE: "no evidence given",
}


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    """One computed cue: its family, the exact words that triggered it, and where they stand.

    A slots dataclass, not a pydantic model: a warm start reads some 130k of them back from the store
    snapshot and drops them once the views are built, and pydantic instances cost three times the
    memory and time (and leave that much more of the heap fragmented). Fields are still checked.
    """

    kind: SignalKind
    trigger: str
    detail: str = ""
    start: int = -1
    end: int = -1

    def __post_init__(self) -> None:
        if type(self.kind) is not SignalKind:
            object.__setattr__(self, "kind", SignalKind(self.kind))  # ValueError for an unknown kind
        if not (isinstance(self.trigger, str) and isinstance(self.detail, str)
                and type(self.start) is int and type(self.end) is int):
            raise TypeError(f"not a signal: {self!r}")


_PATTERNS = {
    SignalKind.HEDGING: lexicon.compile_all(lexicon.HEDGING),
    SignalKind.ANONYMOUS: lexicon.compile_all(lexicon.ANONYMOUS),
    SignalKind.RELAY: lexicon.compile_all(lexicon.RELAY),
    SignalKind.LOADED: lexicon.compile_all(lexicon.LOADED),
    SignalKind.ONE_SIDED: lexicon.compile_all(lexicon.ONE_SIDED),
}
_CONDITIONAL = lexicon.compile_all(lexicon.CONDITIONAL)
# Conditionals end in -ait/-aient: find those words first, then test each (far cheaper than trying the
# conditional's look-aheads at every word of the text).
_AIT_WORD = re.compile(r"\b\w+(?:ait|aient)\b")
_HYPOTHESIS = re.compile(lexicon.HYPOTHESIS)
_RECOMMENDATION = lexicon.compile_all(lexicon.RECOMMENDATION)
_SPEECH = lexicon.compile_all(lexicon.SPEECH)
_SOURCED = lexicon.compile_all(lexicon.SOURCED)
_SENTENCE_END = re.compile(r"[.!?;]")
# Words someone else said: a loaded or one-sided term there is reported, not adopted.
_REPORTED_KINDS = (SignalKind.LOADED, SignalKind.ONE_SIDED)


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


def forget_signals(texts: Iterable[str]) -> None:
    """Drop these texts' signals from memory (they are kept elsewhere: the store snapshot)."""
    for text in texts:
        _KNOWN.pop(text, None)
    if len(_KNOWN) < 1024:  # a dict keeps its table when emptied by pops: 4 MB after a 100k-claim prepare
        kept = dict(_KNOWN)
        _KNOWN.clear()
        _KNOWN.update(kept)


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
    if spans[SignalKind.LOADED] or spans[SignalKind.ONE_SIDED]:  # rare: only then look for reported speech
        speech = [index[b - 1] + 1 for _, b in _overlapping(_SPEECH, folded)]
        quoted = _quoted_regions(text)
        for kind in _REPORTED_KINDS:
            spans[kind] = [s for s in spans[kind] if not _reported(text, s, speech, quoted)]
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() kept every index in place (true of French and English)
        spans[SignalKind.HEDGING] += _reported_conditionals(lowered)
    found = [
        Signal(kind=kind, trigger=text[start:end], start=start, end=end)
        for kind, kind_spans in spans.items() for start, end in _merge(sorted(kind_spans))
    ]
    return tuple(sorted(found, key=lambda s: (s.start, s.kind)))


def _sentence_start(text: str, at: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    return ends[-1] if ends else 0


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for opening, closing in lexicon.QUOTE_PAIRS:
        pos = 0
        while (a := text.find(opening, pos)) != -1:
            b = text.find(closing, a + 1)
            if b == -1:
                break
            regions.append((a, b + 1))
            pos = b + 1
    return regions


def _reported(text: str, span: tuple[int, int], speech_ends: list[int], quoted: list[tuple[int, int]]) -> bool:
    """Whether a cue sits inside quotation marks, or after a speech verb in the same sentence."""
    start, end = span
    if any(a <= start and end <= b for a, b in quoted):
        return True
    sentence = _sentence_start(text, start)
    return any(sentence <= e <= start for e in speech_ends)


def _reported_conditionals(lowered: str) -> list[tuple[int, int]]:
    """French conditionals that report a fact: not the consequence of a 'si' hypothesis, not advice."""
    found = [m.span() for m in _AIT_WORD.finditer(lowered) if _CONDITIONAL.fullmatch(m.group())]
    if not found:
        return []
    advice = [m.span() for m in _RECOMMENDATION.finditer(lowered)]
    out = []
    for start, end in found:
        if any(a <= start < b for a, b in advice):
            continue
        if _HYPOTHESIS.search(lowered, _sentence_start(lowered, start), start):
            continue
        out.append((start, end))
    return out


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
    missing = _missing_evidence(claim, signals)
    if missing:
        signals.append(Signal(kind=SignalKind.NO_EVIDENCE, trigger="", detail=missing))
    return signals


def _missing_evidence(claim: Claim, signals: list[Signal]) -> str:
    """Why a checkable claim with no evidence reference is unbacked, read from its own words.

    Forecasts and opinions need no evidence, and a claim the curator has backed with references has it.
    Otherwise the text decides: unnamed sources and relayed reports are no evidence; a quotation, a named
    speaker or a cited document is one; and a quote that names nothing rests on the author alone.
    """
    if claim.evidence_refs or claim.evidence is Evidence.NOT_CHECKABLE:
        return ""
    kinds = {s.kind for s in signals}
    if SignalKind.ANONYMOUS in kinds or claim.attribution is Attribution.ANONYMOUS:
        return "rests on unnamed sources"
    if SignalKind.RELAY in kinds or claim.attribution is Attribution.RELAYED:
        return "rests on another outlet's report"
    if _SOURCED.search(fold(claim.quote)[0]):
        return ""
    return "the text names no source or evidence for it"


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
    for kind in _REPORTED_KINDS:
        if kind in kinds and claim.framing is Framing.NEUTRAL:
            out.append(f"claim {claim.id!r} is rated neutral framing but its quote says {kinds[kind]!r}")
    if claim.evidence is Evidence.SUPPORTED and not claim.evidence_refs:
        out.append(f"claim {claim.id!r} is rated supported but lists no evidence_refs")
    return out
