"""The views of one item (a claim card, a source card) and the search results, from the store."""
from __future__ import annotations

from collections.abc import Sequence

from bot.core.briefing import ClaimView, SourceView, origins_of
from bot.core.compose import KIND_EMOJI, SIGNAL_MARK
from bot.core.document import Action, Block, Document, Item, Line, Note, Section, Text, bold, code, italic, plain
from bot.core.labels import LABEL_EMOJI, label_of
from bot.core.search import Hit
from bot.core.store import Store
from bot.core.views.build import (
    MAX_OPTIONS, NOTICE_ROOM, PAGE_CHARS, _fit, clip, link, pager, paginate,
)
from bot.core.views.routes import Route

RELATED_SHOWN = 5
REFS_SHOWN = 5
FOOTER = "Store {version}."


def _back(topic: str | None) -> list[Action]:
    return [link("⬅ Back", Route("summary", topic))] if topic else []


def claim_card(view: ClaimView, store: Store, fp: str, topic: str | None) -> Document:
    """Everything about one claim: statement, verbatim quote, speaker, the three axes and the label,
    the curator's reason, computed signals with their trigger words, evidence, related claims."""
    return _fit(lambda cap: _claim_card(view, store, fp, topic, cap), PAGE_CHARS - NOTICE_ROOM)


def _claim_card(c: ClaimView, store: Store, fp: str, topic: str | None, cap: int) -> Document:
    source = store.sources[c.source]
    who = f" — {clip(c.speaker, 80)}" if c.speaker else ""
    blocks: list[Block] = [
        Text(line=[italic(f"“{c.quote}”"), plain(f"{who} [{c.quote_language}]")]),
        Note(line=[plain(f"{KIND_EMOJI[source.kind]} "), bold(clip(source.title, cap)),
                   plain(f" — {clip(source.outlet, 60)}, {source.published}")]),
    ]
    rating: list[Block] = [
        Text(line=[plain(f"{LABEL_EMOJI[c.label]} "), bold(c.label_text)]),
        Note(line=[plain(f"evidence {c.evidence.value} · attribution {c.attribution.value} · "
                         f"commitment {c.commitment.value} · framing {c.framing.value}")]),
        Text(line=[bold("Curator: "), plain(clip(c.reason, cap * 3))]),
    ]
    signals: list[Block] = [Note(line=[plain(f"{SIGNAL_MARK} {s.text}"), *([plain(": "), code(clip(s.trigger, 80))] if s.trigger else [])])
                            for s in c.signals]
    refs: list[Block] = [Note(line=[plain(clip(r.title, cap)), plain(f" — {clip(r.note, cap)}" if r.note else "")])
                         for r in c.evidence_refs[:REFS_SHOWN]]
    related: list[Block] = []
    options: list[Action] = []
    for word, ids in (("Corroborated by", c.corroborated_by), ("Contradicted by", c.contradicted_by)):
        for other in ids[:RELATED_SHOWN]:
            entry = store.claims.get(other)
            if entry is None:
                continue
            roots = ", ".join(origins_of(store, entry.source.id))
            related.append(Item(head=[bold(f"{word}: "), plain(clip(entry.claim.statement, cap))],
                                note=[plain(f"claim {other} · {clip(entry.source.title, 50)} · origins: {roots}")]))
            options.append(link(f"{word.split()[0]}: {entry.claim.statement}", Route("claim", other), kind="option"))
        if len(ids) > RELATED_SHOWN:
            related.append(Note(line=[italic(f"+{len(ids) - RELATED_SHOWN} more {word.lower()}")]))
    sections = [Section(title="Quote", blocks=blocks), Section(title="Rating", blocks=rating)]
    if signals:
        sections.append(Section(title="Automatic signals", blocks=signals))
    if refs:
        sections.append(Section(title="Evidence", blocks=refs))
    if related:
        sections.append(Section(title="Related claims", blocks=related))
    sections.append(Section(title="Origins", blocks=[Note(line=[plain(", ".join(c.origins) or source.id)])]))
    me = Route("claim", c.id, 0, fp)
    actions = [*_back(topic), link("Source", Route("source", c.source)), *options[:MAX_OPTIONS]]
    return Document(title=f"Claim: {clip(c.statement, 120)}", summary=[plain(clip(c.statement, cap * 3))],
                    sections=sections, footer=FOOTER.format(version=store.version[:24]) + f" Claim {c.id}.",
                    actions=actions, menu="Related claims…", route=me.encode())


def source_card(view: SourceView, store: Store, page: int, fp: str, topic: str | None) -> Document:
    """One source: kind, language, date, the curator's note, origins, its claims (paged)."""
    return _fit(lambda cap: _source_card(view, store, page, fp, topic, cap), PAGE_CHARS - NOTICE_ROOM)


def _source_card(s: SourceView, store: Store, page: int, fp: str, topic: str | None, cap: int) -> Document:
    claims = store.sources[s.id].claims
    author = f" · by {clip(s.author, 60)}" if s.author else ""
    about: list[Block] = [
        Text(line=[italic(clip(s.note, cap * 3))]),
        Note(line=[plain(f"origins: {', '.join(s.origins)}" + (f" · relays {', '.join(s.derived_from)}" if s.derived_from else ""))]),
    ]
    items: list[Block] = [Item(badge=LABEL_EMOJI[label_of(c)], head=[plain(clip(c.statement, cap))], note=[plain(f"claim {c.id}")])
                          for c in claims] or [Note(line=[plain("No claims recorded from this source.")])]
    pages = paginate(items, PAGE_CHARS - 1200, per_page=8)
    page = min(page, len(pages) - 1)
    shown = {"".join(x.text for x in b.note).removeprefix("claim ") for b in pages[page] if isinstance(b, Item)}
    me = Route("source", s.id, 0, fp)
    options = [link(f"{LABEL_EMOJI[label_of(c)]} {c.statement}", Route("claim", c.id), kind="option") for c in claims if c.id in shown]
    count = f"Claims ({len(claims)})" + (f" · page {page + 1} of {len(pages)}" if len(pages) > 1 else "")
    return Document(
        title=f"Source: {clip(s.title, 140)}",
        summary=[plain(f"{KIND_EMOJI[s.kind]} {s.kind.value} · {clip(s.outlet, 80)}{author} · {s.language} · {s.published}")],
        sections=[Section(title="Curator's note", blocks=about), Section(title=count, blocks=pages[page])],
        footer=FOOTER.format(version=store.version[:24]) + f" Source {s.id}.",
        actions=[*_back(topic), *pager(me, page, len(pages)), *options[:MAX_OPTIONS]], menu="Open a claim…",
        route=me.at(page).encode())


def search_view(query: str, hits: Sequence[Hit], store: Store, page: int, fp: str) -> Document:
    """Ranked results for a query that names no topic: claims, sources and topics; paged."""
    return _fit(lambda cap: _search(query, hits, store, page, fp, cap), PAGE_CHARS - NOTICE_ROOM)


def _search(query: str, hits: Sequence[Hit], store: Store, page: int, fp: str, cap: int) -> Document:
    blocks = [_hit_block(h, store, cap) for h in hits]
    pages = paginate(blocks, PAGE_CHARS - 1000, per_page=8) if blocks else [[]]
    page = min(page, len(pages) - 1)
    start = sum(len(p) for p in pages[:page])
    on_page = hits[start:start + len(pages[page])]
    me = Route("search", query, 0, fp)
    options = [link(_hit_label(h, store), _hit_route(h), kind="option") for h in on_page]
    if not hits:
        sections = [Section(title="No results", blocks=[Note(line=[plain("Nothing in the store matches that. "),
                                                                    code("/brief"), plain(" lists the topics.")])])]
    else:
        title = f"{len(hits)} result{'s' if len(hits) != 1 else ''}" + (f" · page {page + 1} of {len(pages)}" if len(pages) > 1 else "")
        sections = [Section(title=title, blocks=pages[page])]
    return Document(title=f"Search: {clip(query, 80)}",
                    summary=[plain("No topic has that name; here is what the store says about it.")],
                    sections=sections, footer=FOOTER.format(version=store.version[:24]),
                    actions=[*pager(me, page, len(pages)), *options[:MAX_OPTIONS]], menu="Open a result…",
                    route=me.at(page).encode())


def _hit_route(h: Hit) -> Route:
    return Route("summary", h.id) if h.kind == "topic" else Route(h.kind, h.id)


def _hit_label(h: Hit, store: Store) -> str:
    if h.kind == "topic":
        return f"🗂️ {store.topics[h.id].title}"
    if h.kind == "source":
        s = store.sources[h.id]
        return f"{KIND_EMOJI[s.kind]} {s.title}"
    c = store.claims[h.id].claim
    return f"{LABEL_EMOJI[label_of(c)]} {c.statement}"


def _hit_block(h: Hit, store: Store, cap: int) -> Block:
    if h.kind == "topic":
        t = store.topics[h.id]
        return Item(badge="🗂️", head=[bold(t.title), plain(" (topic)")], body=[[plain(clip(t.description, cap))]],
                    note=[plain(f"topic {t.id}")])
    if h.kind == "source":
        s = store.sources[h.id]
        author = f", {clip(s.author, 40)}" if s.author else ""
        return Item(badge=KIND_EMOJI[s.kind], head=[bold(clip(s.title, cap)), plain(f" — {clip(s.outlet, 60)}{author}")],
                    body=[[italic(clip(s.note, cap))]], note=[plain(f"source {s.id} · {len(s.claims)} claims")])
    entry = store.claims[h.id]
    c = entry.claim
    who: Line = [plain(f" — {clip(c.speaker, 60)}")] if c.speaker else []
    via = f" · relays {h.via}" if h.via and h.via != entry.source.id else ""
    return Item(badge=LABEL_EMOJI[label_of(c)], head=[plain(clip(c.statement, cap))],
                body=[[italic(f"“{clip(c.quote, cap)}”"), *who]],
                note=[plain(f"claim {c.id} · {clip(entry.source.title, 50)}{via}")])
