"""The views, composed from a Brief (topic views) or the store (cards): neutral Documents with links.

Every view fits one chat message: the summary within SUMMARY_CHARS, the others within PAGE_CHARS per
page, paging within itself (◀ / ▶) instead of spilling into more messages.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.briefing import Brief, ClaimView, FlagView, PositionView, SourceView, ThesisTally
from bot.core.compose import KIND_EMOJI, SIGNAL_MARK
from bot.core.document import Action, Block, Document, Item, Line, Note, Section, Text, bold, code, italic, plain, visible_chars
from bot.core.labels import LABEL_EMOJI, Label
from bot.core.models import Stance
from bot.core.views.routes import Route

SUMMARY_CHARS = 1800
PAGE_CHARS = 3000
PER_PAGE = 6
MAX_OPTIONS = 25
OPTION_CHARS = 75  # Slack: an option's text is at most 75 characters (Discord allows 100)
SUMMARY_SOURCES = 6
SUMMARY_FLAGS = 3
SUMMARY_THESES = 4
# Kept free in every view for a one-line notice ("this claim changed since that message was made").
NOTICE_ROOM = 110
# Line lengths tried, longest first, until a view fits its budget.
CAPS = (220, 170, 130, 100, 80, 60, 45, 30)

SEVERITY = {Label.CONTRADICTED: 0, Label.DISPUTED: 1, Label.UNSUPPORTED: 2, Label.ANONYMOUS: 3,
            Label.SPECULATIVE: 4, Label.OPINION: 5, Label.SUPPORTED: 6}
STANCE_WORD = {Stance.SUPPORTS: "for", Stance.OPPOSES: "against", Stance.MIXED: "mixed"}
FOOTER = "Labels are curators' ratings; 🤖 marks automatic cues, not verdicts. Store {version}."
NO_OPPOSITION = "no source opposes this"


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at a word to at most `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(1, limit - 1)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"


def _fit(make: Callable[[int], Document], budget: int) -> Document:
    """The first document `make(cap)` builds within `budget` visible characters, caps tried longest first."""
    doc = make(CAPS[0])
    for cap in CAPS[1:]:
        if visible_chars(doc) <= budget:
            break
        doc = make(cap)
    return doc


# --- links ---------------------------------------------------------------------------------------

def command_for(route: Route) -> str:
    """What to type for a route on a platform without buttons."""
    page = f" {route.page + 1}" if route.page else ""
    if route.view in ("source", "claim"):
        return f"/brief {route.view} {route.id}"
    if route.view == "search":
        return f"/brief {route.id}{page}"
    if route.view == "topics":
        return "/brief"
    if route.view == "changes":
        return f"/brief {route.id} changes {route.fp}{page}"
    word = "" if route.view == "summary" else f" {route.view}"
    return f"/brief {route.id}{word}{page}"


def link(label: str, route: Route, *, kind: str = "button", primary: bool = False) -> Action:
    """An action opening `route`."""
    text = clip(label, OPTION_CHARS) if kind == "option" else label
    return Action(label=text, target=route.encode(), command=command_for(route), kind=kind,  # type: ignore[arg-type]
                  style="primary" if primary else "default")


def pager(route: Route, page: int, pages: int) -> list[Action]:
    """◀ / ▶ buttons for a paged view (none when it has one page)."""
    out = []
    if page > 0:
        out.append(link(f"◀ Page {page}", route.at(page - 1)))
    if page + 1 < pages:
        out.append(link(f"Page {page + 2} ▶", route.at(page + 1)))
    return out


def paginate(blocks: Sequence[Block], budget: int, per_page: int = PER_PAGE) -> list[list[Block]]:
    """Blocks packed greedily into pages of at most `per_page` blocks and about `budget` characters."""
    pages: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        size = _block_chars(block)
        if pages[-1] and (len(pages[-1]) >= per_page or used + size > budget):
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += size
    return pages


def _block_chars(block: Block) -> int:
    return visible_chars(Document(title="", sections=[Section(title="", blocks=[block])]))


# --- tallies -------------------------------------------------------------------------------------

def origins_by_source(b: Brief) -> dict[str, list[str]]:
    """Each cited source's independent origins."""
    return {s.id: s.origins for s in b.sources}


def tally_origins(t: ThesisTally, origins: dict[str, list[str]] | None = None) -> tuple[list[str], list[str], list[str]]:
    """The independent origins behind each stance on a thesis, as the brief counts them."""
    return list(t.supports_origins), list(t.opposes_origins), list(t.mixed_origins)


def tally_text(t: ThesisTally, origins: dict[str, list[str]]) -> str:
    """`for: 2 independent origins · against: none · mixed: 1 — no source opposes this`."""
    sup, opp, mix = tally_origins(t, origins)

    def n(ids: list[str]) -> str:
        return f"{len(ids)} origin{'s' if len(ids) != 1 else ''}" if ids else "none"

    text = f"for: {n(sup)} · against: {n(opp)} · mixed: {n(mix)}"
    return text + (f" — {NO_OPPOSITION}" if sup and not opp else "")


def composed_bottom_line(b: Brief, cap: int) -> str:
    """A bottom line from the tallies, for a topic whose curator wrote none."""
    origins = origins_by_source(b)
    scored = []
    for t in b.theses:
        sup, opp, _ = tally_origins(t, origins)
        scored.append((len(sup) - len(opp), len(sup), len(opp), t))
    parts = []
    if scored:
        best = max(scored, key=lambda s: (s[0], s[1]))
        _, sup_n, opp_n, t = best
        against = "none against" if not opp_n else f"{opp_n} against"
        parts.append(f"Most backed: “{clip(t.statement, cap)}” ({sup_n} independent origin(s) for, {against}).")
        contested = [s for s in scored if s[1] and s[2] and s[3] is not t]
        if contested:
            c = max(contested, key=lambda s: s[1] + s[2])
            parts.append(f"Contested: “{clip(c[3].statement, cap)}”.")
    n_claims = len({f.id for f in b.flagged} | {c.id for c in b.claims})
    parts.append(f"{len(b.flagged)} of {n_claims} claims are flagged.")
    return " ".join(parts)


def ranked_flags(flags: Sequence[FlagView]) -> list[FlagView]:
    """Flagged claims, most serious first: the label's severity, then the number of reasons."""
    return sorted(flags, key=lambda f: (SEVERITY.get(f.label, 9), -len(f.reasons), f.id))


def _footer(version: str) -> str:
    return FOOTER.format(version=version[:24])


# --- topic views ---------------------------------------------------------------------------------

def summary_view(b: Brief, bottom_line: str | None, fp: str) -> Document:
    """The default answer to `/brief TOPIC`: bottom line, theses, the worst flags, one line per source.

    Lines are kept as long as the budget allows; fewer source lines are shown before lines get shorter.
    """
    budget = SUMMARY_CHARS - NOTICE_ROOM
    # Computed once: every try below lays out the same ranking, sizes and bottom lines at other widths.
    facts = _Facts(ranked_flags(b.flagged), sorted(b.positions, key=lambda p: (-p.claim_count, p.source.id)),
                   origins_by_source(b), {})
    groups = [[(cap, SUMMARY_SOURCES) for cap in CAPS[:5]], [(cap, 4) for cap in CAPS[:5]], [(cap, 3) for cap in CAPS]]
    made: dict[tuple[int, int], Document] = {}

    def fits(at: tuple[int, int]) -> bool:
        if at not in made:
            made[at] = _summary(b, bottom_line, fp, at[0], at[1], facts)
        return visible_chars(made[at]) <= budget

    # The first layout that fits, in the order of `groups`. Within a group only the width falls, so a
    # layout is never longer than the one before it: bisect each group instead of trying every width.
    for group in groups:
        if not fits(group[-1]):
            continue
        lo, hi = 0, len(group) - 1  # group[hi] fits
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if fits(group[mid]) else (mid + 1, hi)
        return made[group[hi]]
    return made[groups[-1][-1]]


@dataclass(frozen=True)
class _Facts:
    ranked: list[FlagView]
    by_size: list[PositionView]
    origins: dict[str, list[str]]
    lines: dict[int, str]  # composed bottom line by width


def _summary(b: Brief, bottom_line: str | None, fp: str, cap: int, n_sources: int, facts: _Facts) -> Document:
    topic = b.topic.id
    origins, ranked = facts.origins, facts.ranked
    numbers = {t.id: f"T{i + 1}" for i, t in enumerate(b.theses)}
    theses = [Item(badge=f"⚖️ {numbers[t.id]}", head=[bold(clip(t.statement, cap))],
                   body=[[plain(tally_text(t, origins))]]) for t in b.theses[:SUMMARY_THESES]]
    if len(b.theses) > SUMMARY_THESES:
        theses.append(Item(head=[italic(f"+{len(b.theses) - SUMMARY_THESES} more theses")]))  # type: ignore[list-item]
    worst = ranked[:SUMMARY_FLAGS]
    titles = {s.id: s.title for s in b.sources}
    flags = [Item(badge=LABEL_EMOJI[f.label],
                  head=[bold(f.label_text), plain(f" · {clip(titles.get(f.source, f.source), cap // 3)}")],
                  body=[[plain(clip(f.statement, cap))], [italic(clip(f.reasons[0].text, cap))]] if f.reasons
                  else [[plain(clip(f.statement, cap))]])
             for f in worst]
    biggest = facts.by_size[:n_sources]
    sources: list[Block] = [Note(line=_position_line(p, numbers, cap)) for p in biggest]
    if len(b.positions) > n_sources:
        sources.append(Note(line=[italic(f"+{len(b.positions) - n_sources} more sources")]))
    sections = [
        Section(title="Theses (tallied by independent origin)", blocks=theses),
        Section(title=f"Most serious flags ({len(worst)} of {len(b.flagged)})", blocks=flags),
        Section(title=f"Sources ({len(b.positions)})", blocks=sources),
    ]
    me = Route("summary", topic, 0, fp)
    buttons = [link("Theses", Route("thesis", topic, 0, fp)),
               link(f"Flagged ({len(b.flagged)})", Route("flagged", topic, 0, fp), primary=True),
               link("Positions", Route("positions", topic, 0, fp)),
               link(f"Sources ({len(b.sources)})", Route("sources", topic, 0, fp))]
    options = [link(f"{KIND_EMOJI[p.source.kind]} {p.source.title}", Route("source", p.source.id), kind="option")
               for p in b.positions[:MAX_OPTIONS]]
    options += [link(f"{LABEL_EMOJI[f.label]} {f.statement}", Route("claim", f.id), kind="option")
                for f in ranked[:MAX_OPTIONS - len(options)]]
    width = max(cap // 2, 60)
    if not bottom_line and width not in facts.lines:
        facts.lines[width] = composed_bottom_line(b, width)
    line = bottom_line or facts.lines[width]
    return Document(
        title=f"Brief: {clip(b.topic.title, 120)}", summary=[bold("Bottom line:"), plain(" " + clip(line, 400))],
        sections=[s for s in sections if s.blocks], footer=_footer(b.store_version),
        actions=[*buttons, *options[:MAX_OPTIONS]], menu="Open a source or claim…", route=me.encode(),
    )


def _position_line(p: PositionView, numbers: dict[str, str], cap: int) -> Line:
    stances = ", ".join(f"{numbers.get(s.thesis, s.thesis)} {STANCE_WORD[s.stance]}" for s in p.stances)
    return [plain(f"{KIND_EMOJI[p.source.kind]} "), bold(clip(p.source.title, cap // 2)),
            plain(f" — {stances}" if stances else " — no stance")]


def thesis_view(b: Brief, page: int, fp: str) -> Document:
    """One thesis per page: its tally by stance, the sources and origins on each side, its claims."""
    topic = b.topic.id
    me = Route("thesis", topic, 0, fp)
    if not b.theses:
        return _list_doc(b, me, "Theses", [Note(line=[plain("This topic has no theses.")])], 0, 1, [])
    page = min(page, len(b.theses) - 1)
    t = b.theses[page]
    origins = origins_by_source(b)
    titles = {s.id: s.title for s in b.sources}

    def make(cap: int) -> Document:
        sides: list[Block] = [Text(line=[plain(tally_text(t, origins))])]
        for word, ids in (("For", t.supports), ("Against", t.opposes), ("Mixed", t.mixed)):
            if ids:
                names = "; ".join(clip(titles.get(s, s), cap // 2) for s in ids)
                sides.append(Note(line=[bold(f"{word}: "), plain(names)]))
        claims = [c for c in b.claims if t.id in c.theses]
        items: list[Block] = [Item(badge=LABEL_EMOJI[c.label], head=[bold(c.label_text), plain(f" · {clip(titles.get(c.source, c.source), cap // 3)}")],
                                   body=[[plain(clip(c.statement, cap))]]) for c in claims[:PER_PAGE]]
        if len(claims) > PER_PAGE:
            items.append(Note(line=[italic(f"+{len(claims) - PER_PAGE} more key claims on this thesis")]))
        sections = [Section(title=f"T{page + 1}: {clip(t.statement, 140)}", blocks=sides)]
        if items:
            sections.append(Section(title="Key claims on it", blocks=items))
        options = [link(f"{LABEL_EMOJI[c.label]} {c.statement}", Route("claim", c.id), kind="option") for c in claims]
        return _doc(b, me, f"Theses: {b.topic.title}", sections, page, len(b.theses), options)

    return _fit(make, PAGE_CHARS - NOTICE_ROOM)


def flagged_view(b: Brief, page: int, fp: str) -> Document:
    """Every flagged claim, most serious first, with every reason; paged."""
    me = Route("flagged", b.topic.id, 0, fp)
    titles = {s.id: s.title for s in b.sources}
    flags = ranked_flags(b.flagged)

    def make(cap: int) -> Document:
        blocks: list[Block] = [_flag_block(f, titles, cap) for f in flags] or [Note(line=[plain("No flagged claim on this topic.")])]
        return _paged(b, me, f"Flagged: {b.topic.title}", f"{len(flags)} flagged claims", blocks, page,
                      lambda shown: [link(f"{LABEL_EMOJI[f.label]} {f.statement}", Route("claim", f.id), kind="option")
                                     for f in flags if any(f.id == _claim_of(x) for x in shown)])

    return _fit(make, PAGE_CHARS - NOTICE_ROOM)


def _claim_of(block: Block) -> str:
    if isinstance(block, Item) and block.note:
        text = "".join(s.text for s in block.note)
        return text.removeprefix("claim ").split(" ")[0]
    return ""


def _flag_block(f: FlagView, titles: dict[str, str], cap: int) -> Item:
    body: list[Line] = [[plain(clip(f.statement, cap))], [italic(f"“{clip(f.quote, cap)}”"),
                                                          plain(f" — {clip(f.speaker, 60)}" if f.speaker else "")]]
    for r in f.reasons[:4]:
        if r.by == "curator":
            body.append([bold("Curator: "), plain(clip(r.text, cap))])
        else:
            body.append([plain(f"{SIGNAL_MARK} {r.text}"), *([plain(": "), code(clip(r.trigger, 60))] if r.trigger else [])])
    return Item(badge=LABEL_EMOJI[f.label], head=[bold(f.label_text), plain(f" · {clip(titles.get(f.source, f.source), 60)}")],
                body=body, note=[plain(f"claim {f.id}")])


def positions_view(b: Brief, page: int, fp: str) -> Document:
    """Each source's position on the topic, in our words, with its stances; paged."""
    me = Route("positions", b.topic.id, 0, fp)
    numbers = {t.id: f"T{i + 1}" for i, t in enumerate(b.theses)}

    def make(cap: int) -> Document:
        blocks: list[Block] = [Item(badge=KIND_EMOJI[p.source.kind], head=_source_head(p.source, cap),
                                    body=[[plain(clip(p.summary, cap * 2))], [italic(_stances(p, numbers))]],
                                    note=[plain(f"source {p.source.id} · {p.claim_count} claims, {p.flagged_count} flagged")])
                               for p in b.positions] or [Note(line=[plain("No source takes a position yet.")])]
        return _paged(b, me, f"Positions: {b.topic.title}", f"{len(b.positions)} sources take a position", blocks, page,
                      lambda shown: [link(f"{KIND_EMOJI[p.source.kind]} {p.source.title}", Route("source", p.source.id), kind="option")
                                     for p in b.positions if any(f"source {p.source.id} " in _note(x) for x in shown)])

    return _fit(make, PAGE_CHARS - NOTICE_ROOM)


def _note(block: Block) -> str:
    return "".join(s.text for s in block.note) + " " if isinstance(block, Item) else ""


def _stances(p: PositionView, numbers: dict[str, str]) -> str:
    return ", ".join(f"{numbers.get(s.thesis, s.thesis)} {STANCE_WORD[s.stance]}" for s in p.stances) or "no stance"


def _source_head(s: SourceView, cap: int) -> Line:
    author = f", {clip(s.author, 40)}" if s.author else ""
    return [bold(clip(s.title, cap)), plain(f" — {clip(s.outlet, 60)}{author} ({s.kind.value}, {s.language}, {s.published})")]


def sources_view(b: Brief, page: int, fp: str) -> Document:
    """Every source the brief cites, with the curator's note and origins; paged."""
    me = Route("sources", b.topic.id, 0, fp)

    def make(cap: int) -> Document:
        blocks: list[Block] = [Item(badge=KIND_EMOJI[s.kind], head=_source_head(s, cap), body=[[italic(clip(s.note, cap))]],
                                    note=[plain(f"source {s.id} · origins: {', '.join(s.origins)}")]) for s in b.sources]
        return _paged(b, me, f"Sources: {b.topic.title}", f"{len(b.sources)} sources cited", blocks, page,
                      lambda shown: [link(f"{KIND_EMOJI[s.kind]} {s.title}", Route("source", s.id), kind="option")
                                     for s in b.sources if any(f"source {s.id} " in _note(x) for x in shown)])

    return _fit(make, PAGE_CHARS - NOTICE_ROOM)


def _paged(b: Brief, me: Route, title: str, count: str, blocks: Sequence[Block], page: int,
           options: Callable[[list[Block]], list[Action]]) -> Document:
    pages = paginate(blocks, PAGE_CHARS - 700)
    page = min(page, len(pages) - 1)
    sections = [Section(title=count + (f" · page {page + 1} of {len(pages)}" if len(pages) > 1 else ""), blocks=pages[page])]
    return _doc(b, me, title, sections, page, len(pages), options(pages[page]))


def _list_doc(b: Brief, me: Route, title: str, blocks: list[Block], page: int, pages: int, options: list[Action]) -> Document:
    return _doc(b, me, title, [Section(title=title, blocks=blocks)], page, pages, options)


def _doc(b: Brief, me: Route, title: str, sections: list[Section], page: int, pages: int,
         options: list[Action]) -> Document:
    back = link("⬅ Back", Route("summary", b.topic.id, 0, me.fp))
    return Document(title=title, sections=sections, footer=_footer(b.store_version),
                    actions=[back, *pager(me, page, pages), *options[:MAX_OPTIONS]],
                    menu="Open one…", route=me.at(page).encode())


__all__ = ["SUMMARY_CHARS", "PAGE_CHARS", "clip", "summary_view", "thesis_view", "flagged_view", "positions_view",
           "sources_view", "command_for", "link", "pager", "paginate", "ClaimView"]
