"""The views themselves: routes, the summary's content, paging, links, and clicks on changed or gone items."""
from __future__ import annotations

import pytest

from bot.core.briefer import Briefer, parse_command
from bot.core.briefing import brief
from bot.core.document import line_text, visible_chars
from bot.core.store import Store, build_store
from bot.core.views.build import NO_OPPOSITION, SUMMARY_CHARS, command_for, tally_origins
from bot.core.views.catalog import Views
from bot.core.views.routes import MAX_ROUTE_CHARS, BadRoute, Route, decode
from tests.fakes.synthetic import one_big_topic_store


def text_of(doc) -> str:  # type: ignore[no-untyped-def]
    parts = [doc.title, line_text(doc.summary)]
    for s in doc.sections:
        parts.append(s.title)
        for b in s.blocks:
            parts += [line_text(getattr(b, "head", getattr(b, "line", []))), *map(line_text, getattr(b, "body", []))]
    return "\n".join(parts)


@pytest.mark.parametrize("route", [Route("summary", "china"), Route("flagged", "a" * 64, 9999, "0123abcd"),
                                   Route("search", "sanctions relief"), Route("claim", "c-1-2", 0, "ffffffff")])
def test_routes_round_trip_within_discords_limit(route: Route) -> None:
    assert decode(route.encode()) == route and len(route.encode()) <= MAX_ROUTE_CHARS


@pytest.mark.parametrize("text", ["", "bb1:summary:china:0", "bb2:summary:china:0:", "bb1:nope:china:0:",
                                  "bb1:summary:<!channel>:0:", "bb1:summary:china:x:", "bb1:summary:china:0:XYZ",
                                  "bb1:summary:" + "a" * 100 + ":0:"])
def test_forged_routes_are_refused(text: str) -> None:
    with pytest.raises(BadRoute):
        decode(text)


def test_the_summary_tallies_by_independent_origin_and_says_when_nobody_opposes(store: Store) -> None:
    views = Views(store)
    for topic in store.topics:
        b = brief(store, store.topics[topic])
        doc = views.summary(topic)
        assert visible_chars(doc) <= SUMMARY_CHARS
        text = text_of(doc)
        origins = {s.id: s.origins for s in b.sources}
        unopposed = [t for t in b.theses[:4] if tally_origins(t, origins)[0] and not tally_origins(t, origins)[1]]
        assert text.count(NO_OPPOSITION) == len(unopposed), topic
        assert text.startswith(f"Brief: {b.topic.title}\nBottom line:")
        assert len([b for s in doc.sections if s.title.startswith("Most serious") for b in s.blocks]) == min(3, len(b.flagged))


def test_the_tally_shows_the_briefs_independent_origins(store: Store) -> None:
    b = brief(store, store.topics["china"])
    text = text_of(Views(store).summary("china"))
    for t in b.theses[:4]:
        n = len(t.supports_origins)
        assert (f"for: {n} origin" if n else "for: none") in text


def test_a_curators_bottom_line_comes_first(store: Store) -> None:
    topic = store.topics["china"].model_copy(update={"bottom_line": "Beijing is the quiet winner of any thaw."})
    changed = build_store([topic, *[t for t in store.topics.values() if t.id != "china"]], list(store.sources.values()), "v2")
    doc = Views(changed).summary("china")
    assert line_text(doc.summary) == "Bottom line: Beijing is the quiet winner of any thaw."


def test_paged_views_show_every_flag_exactly_once() -> None:
    big = one_big_topic_store(claims=600, sources=12)
    views = Views(big)
    expected = {f.id for f in views.brief("big").flagged}
    seen: list[str] = []
    route: Route | None = Route("flagged", "big")
    while route is not None:
        doc = views.open(route)
        seen += [line_text(b.note).removeprefix("claim ") for s in doc.sections for b in s.blocks if getattr(b, "note", None)]
        nxt = [a for a in doc.actions if "▶" in a.label]
        route = decode(nxt[0].target) if nxt else None
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


def test_every_link_opens_a_view_and_has_a_typed_form(store: Store) -> None:
    views = Views(store)
    doc = views.summary("china")
    for action in doc.actions:
        route = decode(action.target)
        assert action.command == command_for(route)
        opened = views.open(route)
        assert opened.tone == "info" and opened.route
        assert any(a.label == "⬅ Back" for a in opened.actions)


def test_a_click_from_an_older_store_says_what_changed_or_went(store: Store) -> None:
    views = Views(store)
    old_link = next(a for a in views.summary("china").actions if a.label.startswith("Flagged"))
    first = next(iter(store.sources.values()))
    edited = first.model_copy(update={"claims": (first.claims[0].model_copy(update={"statement": "Reworded."}), *first.claims[1:])})
    newer = build_store(list(store.topics.values()), [edited, *[s for s in store.sources.values() if s.id != first.id]], "v2")
    fresh = Views(newer)
    topic_of_claim = first.claims[0].topics[0]
    claim_link = Route("claim", first.claims[0].id, 0, views.claim_fp(first.claims[0].id)).encode()
    assert "changed since that message was made" in text_of(fresh.open_text(claim_link))
    assert "changed since" not in text_of(views.open_text(claim_link))
    stale = decode(old_link.target)
    if topic_of_claim == "china":
        assert "changed since" in text_of(fresh.open(stale))
    gone = build_store([t for t in store.topics.values() if t.id != "china"], list(store.sources.values()), "v3")
    doc = Views(gone).open(stale)
    assert doc.tone == "error" and "in the store now" in line_text(doc.summary)


@pytest.mark.parametrize(("text", "topic", "view", "page"), [
    ("china", "china", "summary", 0), ("china flagged", "china", "flagged", 0), ("chine sources 3", "chine", "sources", 2),
    ("united states theses", "united states", "thesis", 0), ("source wsj-x", "wsj-x", "source", 0),
    ("claim c-1 public", "c-1", "claim", 0), ("wall street journal", "wall street journal", "summary", 0),
    ("china full", "china", "full", 0),
])
def test_typed_views(text: str, topic: str, view: str, page: int) -> None:
    request = parse_command(text)
    assert (request.topic, request.view, request.page) == (topic, view, page)


def test_typed_cards_answer_on_every_platform(briefer: Briefer) -> None:
    assert briefer.answer("claim cmt-peskov-cannot-dance-alone")[0].title.startswith("Claim: ")
    assert briefer.answer("source wsj-russia-china-offer-report")[0].title.startswith("Source: ")
    doc, _ = briefer.answer("claim nothing-here")
    assert doc.tone == "error" and "in the store now" in line_text(doc.summary)


def test_links_to_cards_carry_the_cards_fingerprint(store: Store) -> None:
    views = Views(store)
    for action in views.summary("china").actions + views.open(Route("flagged", "china")).actions:
        route = decode(action.target)
        if route.view == "claim":
            assert route.fp == views.claim_fp(route.id)
        elif route.view == "source":
            assert route.fp == views.source_fp(route.id)
