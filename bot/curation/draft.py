"""Curation help: split an article into sentences and propose the claim-like ones as a source skeleton.

A sentence is a candidate when it carries a cue a curator looks for: a computed signal (hedging,
anonymous or relayed attribution, loaded words), a quotation, a number, a named speaker's verb, or
a named actor (a country, capital, leader or institution) in a full sentence. Each candidate is
written with its cues as YAML comments; the curator rates, rewords or deletes it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.core.flags import SIGNAL_TEXT, find_signals, fold
from bot.core.models import Attribution, Commitment, Evidence, Framing, SourceKind

MAX_QUOTE = 400
MAX_TITLE = 300
MIN_WORDS = 6
MIN_CLAIM_WORDS = 3  # shorter lines are labels, bylines and timestamps, not claims

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "m", "mme", "mlle", "jr", "sr", "vs", "etc", "no", "p", "cf", "ex"}
_BOUNDARY = re.compile(r"[.!?…]+[\"»”’)\]]*\s+")
_OPENERS = "«“\"(['"
_BULLET = re.compile(r"^\s*(?:[•·▪●◦\-*–—]|\d{1,2}[.)])\s+")

QUOTATION = re.compile(r"«[^»]{2,}»|“[^”]{2,}”|\"[^\"]{2,}\"")
NUMBER = re.compile(r"\d[\d\s.,]*(?:\s?%|\s?(?:per ?cent|pour ?cent|billion|million|milliards?|millions?))?")
SPEAKER = re.compile(
    r"\b(?:said|says|told|stated|declared|announced|warned|claimed|insisted|argued|noted|added|according to)\b"
    r"|\b(?:a|ont|avait|avaient) (?:declare|affirme|indique|souligne|dit|annonce|averti|assure|estime|precise"
    r"|rappele|explique|ajoute|reconnu|confirme|promis|martele)\b"
    r"|\ben affirmant\b|\bselon (?:le|la|l['’]|les)\b"
)
ACTORS = re.compile(
    r"\b(?:russi\w*|russe\w*|moscou|moscow|kremlin|chin\w*|pekin|beijing|xi jinping|united states|us|usa|"
    r"america\w*|etats-unis|washington|white house|maison blanche|trump|biden|putin|poutine|peskov|lavrov|"
    r"ukrain\w*|kyiv|kiev|zelensk\w*|europe\w*|eu|ue|brussels|bruxelles|nato|otan|g7|brics\+?|opep\+?|opec\+?|"
    r"iran\w*|north korea|coree du nord|taiwan\w*|india\w*|inde|poland|pologne|baltic\w*|balte\w*|"
    r"central asia|asie centrale|arctic|arctique|"
    r"occident\w*|west\w*|sanctions?)\b"
)
# Subjects a geopolitical brief turns on; with an actor these mark a sentence as claim-like.
SUBJECTS = re.compile(
    r"\b(?:war|guerre|peace|paix|military|militaire\w*|nuclear|nucleaire\w*|conflict|conflit|escalat\w*|"
    r"alliance\w*|allie\w*|ally|allies|treaty|traite|trade|commerc\w*|econom\w*|energ\w*|gas|gaz|oil|petrole|"
    r"troops?|troupes?|army|armee|weapons?|armes?|territor\w*|annex\w*|negotiat\w*|negocia\w*)\b"
)
# A sentence opening with one of these extends the claim of the sentence before it.
CONTINUATION = re.compile(r"^(?:c['’]est|cela|ceci|ce sont|this|that|it is|it was|these|such)\b")
_FRENCH = {"le", "la", "les", "des", "est", "une", "et", "que", "qui", "dans", "pour", "pas", "du", "au", "avec", "sur"}
_ENGLISH = {"the", "and", "is", "of", "to", "that", "with", "for", "on", "are", "was", "it", "this", "be"}


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading line) of the article, with where it stands."""

    index: int
    text: str
    line: int
    start: int


@dataclass(frozen=True)
class Cue:
    """Why a sentence was proposed: a kind of cue and the exact words that triggered it."""

    kind: str
    trigger: str


@dataclass(frozen=True)
class Candidate:
    """A proposed claim: the sentence, a quote short enough for the schema, and its cues."""

    sentence: Sentence
    quote: str
    cues: tuple[Cue, ...]

    def suggestions(self) -> dict[str, str]:
        """Ratings the cues hint at (hints only; the curator decides)."""
        kinds = {c.kind for c in self.cues}
        out: dict[str, str] = {}
        if "anonymous-attribution" in kinds:
            out["attribution"] = Attribution.ANONYMOUS.value
        elif "relayed-report" in kinds:
            out["attribution"] = Attribution.RELAYED.value
        elif "speaker" in kinds or "quotation" in kinds:
            out["attribution"] = Attribution.ON_RECORD.value
        if "hedging" in kinds:
            out["commitment"] = Commitment.POSSIBLE.value
        if "loaded-language" in kinds:
            out["framing"] = Framing.LOADED.value
        return out


def split_sentences(text: str) -> list[Sentence]:
    """Split an article into lines, then sentences, never inside a «…» or “…” quotation."""
    out: list[Sentence] = []
    offset = 0
    for number, raw in enumerate(text.splitlines(keepends=True), 1):
        bullet = _BULLET.match(raw)
        skip = bullet.end() if bullet else 0
        for start, piece in _split_line(raw[skip:]):
            clean = piece.strip()
            if clean:
                lead = len(piece) - len(piece.lstrip())
                out.append(Sentence(len(out), clean, number, offset + skip + start + lead))
        offset += len(raw)
    return out


def _split_line(line: str) -> list[tuple[int, str]]:
    pieces, start = [], 0
    for m in _BOUNDARY.finditer(line):
        end = m.end()
        if end >= len(line.rstrip()) or not _starts_sentence(line[end:]):
            continue
        if _inside_quotation(line[start:end]) or _is_abbreviation(line[start:m.start() + 1]):
            continue
        pieces.append((start, line[start:end]))
        start = end
    pieces.append((start, line[start:]))
    return pieces


def _starts_sentence(rest: str) -> bool:
    first = rest[:1]
    return first.isupper() or first.isdigit() or first in _OPENERS


def _inside_quotation(text: str) -> bool:
    return text.count("«") > text.count("»") or text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _is_abbreviation(text: str) -> bool:
    words = text.rstrip(".").split()
    last = words[-1].casefold() if words else ""
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or bool(re.fullmatch(r"(?:\w\.)+\w", last))


def detect_language(text: str) -> str:
    """`fr` or `en`, by counting common function words."""
    words = re.findall(r"[a-zà-ÿ]+", text.casefold())
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "fr" if french > english else "en"


def find_cues(text: str) -> list[Cue]:
    """Every cue in one sentence: computed signals first, then quotations, numbers, speakers, actors."""
    cues = [Cue(s.kind.value, s.trigger) for s in find_signals(text)]
    cues += [Cue("quotation", m.group()) for m in QUOTATION.finditer(text)]
    cues += [Cue("number", m.group().strip().rstrip(".,").strip()) for m in NUMBER.finditer(text)]
    folded, index = fold(text)
    for kind, pattern in (("speaker", SPEAKER), ("actor", ACTORS), ("subject", SUBJECTS)):
        for m in pattern.finditer(folded):
            cues.append(Cue(kind, text[index[m.start()]:index[m.end() - 1] + 1]))
    return cues


WEAK_CUES = {"actor", "subject", "continuation"}


def is_candidate(text: str, cues: list[Cue]) -> bool:
    """Whether a sentence is worth proposing: a strong cue, or an actor or subject in a full sentence."""
    words = len(text.split())
    strong = any(c.kind not in WEAK_CUES for c in cues)
    return words >= MIN_CLAIM_WORDS and (strong or (bool(cues) and words >= MIN_WORDS))


def short_quote(text: str, anchor: str = "") -> str:
    """The sentence itself, or the longest run of its clauses around `anchor` that fits MAX_QUOTE."""
    if len(text) <= MAX_QUOTE:
        return text
    clauses = [m.group() for m in re.finditer(r"[^,;:—–]+[,;:—–]?", text)]
    at = text.find(anchor) if anchor else 0
    pos, first = 0, 0
    for i, clause in enumerate(clauses):
        if pos <= max(at, 0) < pos + len(clause):
            first = i
            break
        pos += len(clause)
    lo = hi = first
    while True:
        grown = False
        if hi + 1 < len(clauses) and len("".join(clauses[lo:hi + 2]).strip()) <= MAX_QUOTE:
            hi, grown = hi + 1, True
        if lo > 0 and len("".join(clauses[lo - 1:hi + 1]).strip()) <= MAX_QUOTE:
            lo, grown = lo - 1, True
        if not grown:
            break
    quote = "".join(clauses[lo:hi + 1]).strip().rstrip(",;:—–").strip()
    if len(quote) <= MAX_QUOTE:
        return quote
    return quote[:MAX_QUOTE].rsplit(" ", 1)[0]


def candidates(text: str) -> list[Candidate]:
    """The claim-like sentences of an article, in article order, each sentence once."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for sentence in split_sentences(text):
        key = " ".join(sentence.text.split()).casefold()
        cues = find_cues(sentence.text)
        follows = CONTINUATION.match(fold(sentence.text)[0])
        if follows and out and out[-1].sentence.index == sentence.index - 1:
            cues.append(Cue("continuation", sentence.text[:follows.end()]))
        if key in seen or not is_candidate(sentence.text, cues):
            continue
        seen.add(key)
        anchor = next((c.trigger for c in cues if c.kind not in WEAK_CUES), cues[0].trigger)
        out.append(Candidate(sentence, short_quote(sentence.text, anchor), tuple(cues)))
    return out


# How much each kind of cue makes a sentence worth a curator's time: the computed signals are what a
# brief flags, quotations and named speakers are attributable claims, numbers are checkable, and an
# actor or subject alone only says the sentence is on topic. A second cue of a kind adds a little.
CUE_WEIGHTS = {"hedging": 3.0, "anonymous-attribution": 3.0, "relayed-report": 3.0, "loaded-language": 3.0,
               "quotation": 2.0, "speaker": 2.0, "number": 1.0, "actor": 0.5, "subject": 0.5, "continuation": 0.5}
REPEAT_WEIGHT = 0.25
MAX_PROPOSED = 15  # claims written into a draft; the rest are listed as one-line comments


def score(candidate: Candidate) -> float:
    """How worth rating a candidate is, from its cues (see CUE_WEIGHTS)."""
    counts: dict[str, int] = {}
    for cue in candidate.cues:
        counts[cue.kind] = counts.get(cue.kind, 0) + 1
    return sum(CUE_WEIGHTS.get(kind, 2.0) + REPEAT_WEIGHT * (n - 1) for kind, n in counts.items())


def ranked(found: list[Candidate]) -> list[Candidate]:
    """Candidates best first (by score, then article order)."""
    return sorted(found, key=lambda c: (-score(c), c.sentence.index))


def _scalar(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, whatever quotes or colons the text holds.
    return json.dumps(text, ensure_ascii=False)


def _choices(enum: type[StrEnum]) -> str:
    return " | ".join(e.value for e in enum)


def _cue_comment(cues: tuple[Cue, ...]) -> str:
    names = {k.value: v for k, v in SIGNAL_TEXT.items()} | {
        "speaker": "named speaker", "continuation": "goes on from the sentence before",
        "actor": "actors", "subject": "subjects",
    }
    grouped: dict[str, list[str]] = {}
    for cue in cues:
        words = " ".join(cue.trigger.split())[:60]
        if words not in grouped.setdefault(cue.kind, []):
            grouped[cue.kind].append(words)
    strong = [f"{names.get(k, k)} " + ", ".join(f"“{w}”" for w in v) for k, v in grouped.items() if k not in WEAK_CUES]
    weak = [f"{names[k]} " + ", ".join(v) for k, v in grouped.items() if k in WEAK_CUES]
    return "; ".join(strong + weak)


def draft_source(article: str, source_id: str, archive: str, schema_path: str = "../../schema/source.schema.json") -> str:
    """The YAML skeleton of a new source file: the best candidate claims first, each with why it was
    picked, TODOs marking what to fill; lower-ranked candidates listed as comments."""
    title = next((line.strip() for line in article.splitlines() if line.strip()), "TODO")[:MAX_TITLE]
    head = [
        f"# yaml-language-server: $schema={schema_path}",
        f"# Draft written by `briefbot draft` from {archive}. Replace every TODO, keep the claims worth",
        "# keeping (reword `statement` in your own words, shorten `quote` to the verbatim words that carry",
        "# the claim) and delete the rest. Cues are computed hints, never verdicts. `briefbot validate` checks it.",
        f"id: {source_id}",
        f"title: {_scalar(title)}  # TODO: check the title",
        "outlet: TODO",
        "author: null  # the author's name, when known",
        f"language: {detect_language(article)}  # detected; check it",
        "published: TODO  # YYYY, YYYY-MM or YYYY-MM-DD",
        f"kind: TODO  # {_choices(SourceKind)}",
        "url: null",
        f"archive: {_scalar(archive)}",
        "note: TODO  # the source's slant and reliability, in your words",
        "positions: []  # - {topic: TODO, summary: TODO, stances: [{thesis: TODO, stance: supports}]}",
        "claims:",
    ]
    best = ranked(candidates(article))
    body = [line for n, c in enumerate(best[:MAX_PROPOSED], 1) for line in _claim_lines(source_id, n, c)]
    rest = [f"#   line {c.sentence.line}, score {score(c):g}: {_scalar(c.sentence.text[:80])} ({_cue_comment(c.cues)})"
            for c in best[MAX_PROPOSED:]]
    if rest:
        rest.insert(0, f"# {len(rest)} more claim-like sentence(s), ranked lower (add one as a claim if it matters):")
    return "\n".join(head + (body or ["  []"]) + rest) + "\n"


def _claim_lines(source_id: str, n: int, candidate: Candidate) -> list[str]:
    hint = candidate.suggestions()
    suggested = {k: f"; cues suggest {v}" for k, v in hint.items()}
    lines = [f"  # Candidate {n}, line {candidate.sentence.line}, score {score(candidate):g}: "
             f"{_cue_comment(candidate.cues)}"]
    if candidate.quote != candidate.sentence.text:
        lines.append("  # The sentence is longer than a quote may be; the quote keeps the clauses around the first cue.")
    return lines + [
        f"  - id: {source_id}-{n}",
        "    statement: TODO  # what the source claims, in your own words (English)",
        f"    quote: {_scalar(candidate.quote)}",
        "    speaker: null  # who makes the claim inside the source, when not the author",
        "    topics: [TODO]",
        f"    evidence: TODO  # {_choices(Evidence)}",
        f"    attribution: TODO  # {_choices(Attribution)}{suggested.get('attribution', '')}",
        f"    commitment: TODO  # {_choices(Commitment)}{suggested.get('commitment', '')}",
        f"    framing: {hint.get('framing', Framing.NEUTRAL.value)}  # {_choices(Framing)}",
        "    reason: TODO  # why you rated it so",
    ]


def draft_path(briefs: Path, source_id: str) -> Path:
    """Where a draft goes by default: `drafts/` beside the store, a folder the bot never loads."""
    return briefs.absolute().parent / "drafts" / f"{source_id}.yaml"


def loaded_by_store(path: Path, briefs: Path) -> bool:
    """Whether a file at `path` would be loaded into the live store (or trigger its reload)."""
    return path.absolute().resolve().is_relative_to(briefs.absolute().resolve())
