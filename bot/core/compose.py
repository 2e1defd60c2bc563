"""Turning briefs and listings into neutral Documents (what a reader sees, on every platform)."""
from __future__ import annotations

from bot.core.briefing import Brief, ClaimView, FlagView, PositionView, SourceView, ThesisTally
from bot.core.document import Document, Item, Line, Note, Section, Text, bold, code, italic, plain
from bot.core.labels import LABEL_EMOJI
from bot.core.models import SourceKind, Topic
from bot.core.permalinks import topic_path

KIND_EMOJI: dict[SourceKind, str] = {
    SourceKind.OP_ED: "📝",
    SourceKind.ANALYSIS: "🔎",
    SourceKind.COMMENTARY: "🗣️",
    SourceKind.NEWS_REPORT: "📰",
    SourceKind.REWRITE: "🔁",
    SourceKind.VIDEO_BLURB: "🎬",
    SourceKind.OFFICIAL_STATEMENT: "🏛️",
    SourceKind.OTHER: "📄",
}

SIGNAL_MARK = "🤖"
FOOTER = (
    "Labels are curators' ratings; 🤖 marks automatic signals (cues in the wording, not verdicts). "
    "Store {version}."
)


def source_line(source: SourceView) -> Line:
    """`Title — Outlet (op-ed, fr, 2024-11)`, with relayed origins."""
    author = f", {source.author}" if source.author else ""
    line = [bold(source.title), plain(f" — {source.outlet}{author} ({source.kind.value}, {source.language}, {source.published})")]
    if source.derived_from:
        line.append(plain(f" · relays {', '.join(source.derived_from)}"))
    return line


def compose_brief(brief: Brief) -> Document:
    """The brief as a document: theses, positions, flagged claims, other key claims, origins.

    Chat space is scarce, so nothing is said twice: a flagged key claim appears once, under
    "Flagged claims" with its reasons, and the sources list only names sources no position shows.
    """
    titles = {s.id: s.title for s in brief.sources}
    flagged = {f.id for f in brief.flagged}
    shown = {p.source.id for p in brief.positions}
    sections = [
        Section(title="Theses", blocks=[_thesis_item(t) for t in brief.theses]),
        Section(title="Positions", blocks=[position_item(p) for p in brief.positions]),
        Section(title="Flagged claims", blocks=[flag_item(f, titles) for f in brief.flagged]),
        Section(title="Other key claims", blocks=[_claim_item(c, titles) for c in brief.claims if c.id not in flagged]),
        Section(title="Origins", blocks=_origin_blocks(brief)),
        Section(title="Other sources cited", blocks=[
            Note(line=[plain(f"[{s.id}] "), *source_line(s)]) for s in brief.sources if s.id not in shown]),
    ]
    summary = [
        plain(f"{len(brief.positions)} sources take a position · {len(brief.claims)} key claims · "),
        bold(f"{len(brief.flagged)} flagged"),
        plain(f" · {len(brief.independent_origins)} independent origins"),
    ]
    return Document(
        title=f"Brief: {brief.topic.title}",
        summary=summary,
        sections=[s for s in sections if s.blocks],
        footer=FOOTER.format(version=brief.store_version),
        web_path=topic_path(brief.topic.id),
    )


def _count(ids: list[str], origins: list[str]) -> str:
    """'3 sources, 2 independent origins' (the origins are named when they are not the sources)."""
    counted = (f"{len(ids)} source{'s' if len(ids) != 1 else ''}, "
               f"{len(origins)} independent origin{'s' if len(origins) != 1 else ''}")
    return counted if set(origins) == set(ids) else f"{counted}: {', '.join(origins)}"


def tally_text(t: ThesisTally) -> str:
    """One line per thesis: who supports, opposes or is mixed, counted by independent origin."""
    parts = [
        f"{word}: {', '.join(ids)} ({_count(ids, origins)})"
        for word, ids, origins in (("supports", t.supports, t.supports_origins),
                                   ("opposes", t.opposes, t.opposes_origins),
                                   ("mixed", t.mixed, t.mixed_origins))
        if ids
    ]
    if not t.opposes:
        parts.append("no source in the store opposes this")
    return " · ".join(parts)


def _thesis_item(t: ThesisTally) -> Item:
    return Item(badge="⚖️", head=[bold(t.statement)], body=[[plain(tally_text(t))]])


def position_item(p: PositionView) -> Item:
    """A source's position: who, the summary in our words, its stances on one line."""
    by_stance: dict[str, list[str]] = {}
    for s in p.stances:
        by_stance.setdefault(s.stance.value, []).append(s.thesis)
    stances = " · ".join(f"{stance}: {', '.join(theses)}" for stance, theses in by_stance.items())
    return Item(
        badge=KIND_EMOJI[p.source.kind],
        head=source_line(p.source),
        body=[[plain(p.summary)], *([[italic(stances)]] if stances else []),
              [bold("About this source:"), plain(f" {p.source.note}")]],
        note=[plain(f"{p.claim_count} claims, {p.flagged_count} flagged")],
    )


def _quote_line(quote: str, speaker: str | None, language: str = "") -> Line:
    who = f" — {speaker}" if speaker else ""
    lang = f" [{language}]" if language else ""
    return [italic(f"“{quote}”"), plain(who + lang)]


def _claim_item(c: ClaimView, titles: dict[str, str]) -> Item:
    rating = f"curator: evidence {c.evidence.value} · attribution {c.attribution.value} · commitment {c.commitment.value}"
    origins = f" · origins: {len(c.origins)}" if c.origins else ""
    return Item(
        badge=LABEL_EMOJI[c.label],
        head=[bold(c.label_text), plain(f" · {titles.get(c.source, c.source)}")],
        body=[[plain(c.statement)], _quote_line(c.quote, c.speaker, c.quote_language)],
        note=[plain(rating + origins)],
    )


def flag_item(f: FlagView, titles: dict[str, str], *, quote: bool = True) -> Item:
    """A flagged claim with every reason: the curator's first, then 🤖 signals with their trigger words."""
    body: list[Line] = [[plain(f.statement)], *([_quote_line(f.quote, f.speaker)] if quote else [])]
    for reason in f.reasons:
        if reason.by == "curator":
            body.append([bold("Curator:"), plain(f" {reason.text}")])
        else:
            trigger = [plain(": "), code(reason.trigger)] if reason.trigger else []
            body.append([plain(f"{SIGNAL_MARK} {reason.text}"), *trigger])
    return Item(
        badge=LABEL_EMOJI[f.label],
        head=[bold(f.label_text), plain(f" · {titles.get(f.source, f.source)}")],
        body=body,
        note=[plain(f"claim {f.id}")],
    )


def _origin_blocks(brief: Brief) -> list[Text | Item | Note]:
    blocks: list[Text | Item | Note] = []
    if brief.independent_origins:
        blocks.append(Text(line=[
            plain("Key claims rest on "), bold(str(len(brief.independent_origins))),
            plain(f" independent origin(s): {', '.join(brief.independent_origins)}."),
        ]))
    for r in brief.relations:
        verb = "agrees with" if r.kind == "corroborates" else "conflicts with"
        blocks.append(Note(line=[plain(f"{r.sources[0]} ({r.claims[0]}) {verb} {r.sources[1]} ({r.claims[1]})")]))
    return blocks


def compose_topics(topics: list[Topic], title: str = "Topics") -> Document:
    """The list of topics with their aliases, for `/brief` with no topic."""
    items = [
        Item(badge="🗂️", head=[code(t.id), plain(f" — {t.title}")],
             note=[plain("also: " + ", ".join(t.aliases))] if t.aliases else [])
        for t in topics
    ]
    return Document(
        title=title,
        summary=[plain("Ask for one with "), code("/brief <topic>"), plain(".")],
        sections=[Section(title="Available topics", blocks=items)],
    )


def compose_sources(sources: list[SourceView]) -> Document:
    """The list of sources with the curator's note on each."""
    items = [
        Item(badge=KIND_EMOJI[s.kind], head=[code(s.id), plain(" "), *source_line(s)],
             body=[[plain(s.note)]], note=[plain(f"archive: {s.archive}")] if s.archive else [])
        for s in sources
    ]
    return Document(title="Sources", sections=[Section(title=f"{len(sources)} sources", blocks=items)])


def _with_id(item: Item, claim_id: str) -> Item:
    """A claim item whose small print starts with the claim's id (what `show claim` and `/brief claim` take)."""
    return item.model_copy(update={"note": [plain(f"claim {claim_id} · "), *item.note]})


def compose_claims(claims: list[ClaimView], titles: dict[str, str], title: str = "Claims") -> Document:
    """A list of claims with their labels and ratings."""
    items = [_with_id(_claim_item(c, titles), c.id) for c in claims]
    flagged = sum(c.flagged for c in claims)
    return Document(
        title=title,
        summary=[plain(f"{len(claims)} claims, {flagged} flagged")],
        sections=[Section(title="Claims", blocks=items)] if items else [],
    )
