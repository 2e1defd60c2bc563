"""Every page route over aiohttp on loopback: content, status, the same words as chat, escaping."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from bot.core.briefing import brief
from bot.core.compose import compose_brief, tally_text
from bot.core.document import line_text
from bot.core.labels import LABEL_EMOJI
from bot.core.store import Store
from bot.core.topics import MAX_QUERY_CHARS
from bot.curation.export import Reviewer, claim_review
from bot.web.server import CLAIMS_PER_PAGE
from tests.fakes.synthetic import one_big_topic_store
from tests.web.helpers import Tags, client, pages


def public(store: Store, **settings: object):
    return pages(lambda: store, web_access="public", **settings)


async def test_the_index_lists_every_topic_with_a_link(store: Store) -> None:
    async with client(public(store)) as c:
        r = await c.get("/")
        assert r.status == 200 and r.content_type == "text/html"
        tags = Tags(await r.text())
    for topic in store.topics.values():
        assert f"/topics/{topic.id}" in tags.hrefs()
        assert topic.title in tags.all_text()


async def test_the_topic_page_shows_what_chat_shows_and_more(store: Store) -> None:
    b = brief(store, store.topics["china"])
    doc = compose_brief(b)
    async with client(public(store)) as c:
        r = await c.get("/topics/china")
        html = await r.text()
    assert r.status == 200
    text = Tags(html).all_text()
    assert line_text(doc.summary) in text  # the same summary line as the chat brief
    for thesis in b.theses:  # with the chat's tally, counted by independent origin
        assert thesis.statement in text and tally_text(thesis) in text
    for position in b.positions:
        assert position.source.title in text and position.summary in text
        assert f"About this source: {position.source.note}" in text
    for flag in b.flagged:
        assert f"{LABEL_EMOJI[flag.label]} {flag.label_text}" in text
        for reason in flag.reasons:  # curator reasons and 🤖 signals with their trigger words, as in chat
            expected = f"Curator: {reason.text}" if reason.by == "curator" else f"🤖 {reason.text}"
            assert expected in text
            if reason.trigger:
                assert f"<code>{_esc(reason.trigger)}</code>" in html
    for entry in store.claims_for("china"):  # every claim on the topic has its page linked
        assert f'href="/claims/{entry.claim.id}"' in html
    assert doc.footer in text


async def test_french_quotes_carry_their_language(store: Store) -> None:
    french = [e for e in store.claims_for("china") if e.source.language == "fr"]
    assert french, "the curated China topic has a French source"
    async with client(public(store)) as c:
        html = await (await c.get("/topics/china")).text()
        claim_html = await (await c.get(f"/claims/{french[0].claim.id}")).text()
    for page in (html, claim_html):
        quoted = re.findall(r'<blockquote lang="fr">“(.*?)”</blockquote>', page, re.S)
        assert _esc(french[0].claim.quote) in quoted
    assert '<html lang="en">' in html


async def test_the_stance_matrix_has_one_cell_per_source_and_thesis_and_a_table(store: Store) -> None:
    b = brief(store, store.topics["china"])
    async with client(public(store)) as c:
        html = await (await c.get("/topics/china")).text()
    svg = re.search(r'<svg[^>]*data-matrix="stances".*?</svg>', html, re.S)
    assert svg and 'role="img"' in svg.group(0)
    cells = re.findall(r'<g class="cell" data-stance="(\w+)">', svg.group(0))
    assert len(cells) == len(b.positions) * len(b.theses)
    supports = sum(len(t.supports) for t in b.theses)
    assert cells.count("supports") == supports
    assert cells.count("silent") == len(cells) - supports - sum(len(t.opposes) + len(t.mixed) for t in b.theses)
    # Sources are grouped by independent origin: the rewrite sits with the report it relays.
    rewrite = next(p.source for p in b.positions if p.source.derived_from)
    group = re.search(r"Origin: ([^<]*)</text>(?:(?!Origin:).)*" + re.escape(_esc(rewrite.title)[:20]), svg.group(0), re.S)
    assert group and store.sources[rewrite.origins[0]].title[:20] in group.group(1)
    table = re.search(r"<table>.*?</table>", html, re.S)
    assert table and "The stance matrix as a table" in html
    assert len(re.findall(r"<td>", table.group(0))) == len(cells)


async def test_the_claim_page_embeds_its_claimreview(store: Store) -> None:
    rated = next(e for e in store.claims.values() if claim_review(e, store, Reviewer(), date.today()))
    async with client(public(store, public_url="https://brief.example.org")) as c:
        html = await (await c.get(f"/claims/{rated.claim.id}")).text()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    review = json.loads(blocks[0])
    assert review == claim_review(rated, store, Reviewer(base_url="https://brief.example.org"), store.loaded_at.date())
    assert review["url"] == f"https://brief.example.org/claims/{rated.claim.id}"
    text = Tags(html).all_text()
    assert rated.claim.statement in text and rated.claim.reason in text


async def test_an_opinion_has_no_claimreview_and_without_public_url_the_page_names_itself(
    fixture_store: Store,
) -> None:
    async with client(public(fixture_store)) as c:
        opinion = await (await c.get("/claims/rewrite-deep-state")).text()
        rated = await (await c.get("/claims/rewrite-peskov")).text()
        host = f"http://{c.host}:{c.port}"
    assert "application/ld+json" not in opinion and "💬" in opinion
    review = json.loads(re.search(r'ld\+json">(.*?)</script>', rated, re.S).group(1))
    assert review["url"] == f"{host}/claims/rewrite-peskov"


async def test_the_source_page_lists_positions_claims_and_relays(fixture_store: Store) -> None:
    async with client(public(fixture_store)) as c:
        paper = Tags(await (await c.get("/sources/paper")).text())
        rewrite = await (await c.get("/sources/rewrite")).text()
    assert "/sources/rewrite" in paper.hrefs()  # relayed by
    assert "Relays anonymous sourcing second-hand." in rewrite
    for cid in ("rewrite-end-cooperation", "rewrite-peskov", "rewrite-deep-state"):
        assert f'href="/claims/{cid}"' in rewrite
    assert '<h1 lang="fr">' in rewrite and 'href="/topics/china"' in rewrite


async def test_search_folds_case_and_accents_and_bounds_the_query(fixture_store: Store) -> None:
    async with client(public(fixture_store)) as c:
        r = await c.get("/search", params={"q": "PEKIN"})
        found = Tags(await r.text()).hrefs()
        assert r.status == 200 and "/topics/china" in found
        quote = Tags(await (await c.get("/search", params={"q": "coopération militaire"})).text()).hrefs()
        assert "/claims/rewrite-end-cooperation" in quote
        empty = await c.get("/search")
        assert empty.status == 200 and "0 results" not in await empty.text()
        long = await c.get("/search", params={"q": "x" * (MAX_QUERY_CHARS + 1)})
        assert long.status == 400 and "the limit is" in await long.text()


@pytest.mark.parametrize("path,what", [("/topics/mars", "topic"), ("/claims/nope", "claim"), ("/sources/nope", "source")])
async def test_unknown_items_get_404_with_a_sentence(fixture_store: Store, path: str, what: str) -> None:
    async with client(public(fixture_store)) as c:
        r = await c.get(path)
        assert r.status == 404 and f"No such {what}" in await r.text()
        hostile = await c.get("/topics/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        assert hostile.status == 404 and "<script>alert" not in await hostile.text()


async def test_pages_send_headers_that_keep_links_and_scripts_in(fixture_store: Store) -> None:
    async with client(pages(lambda: fixture_store, web_access="public")) as c:
        r = await c.get("/topics/china")
    assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'none' forbids scripts
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert r.headers["Referrer-Policy"] == "no-referrer"


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


async def test_a_large_topic_pages_its_claims_and_every_claim_is_on_exactly_one_page() -> None:
    store = one_big_topic_store(claims=450, sources=15)
    b = brief(store, store.topics["big"])
    assert len(b.flagged) > CLAIMS_PER_PAGE // 2  # the flagged list itself crosses a page boundary
    seen: list[str] = []
    sizes = []
    async with client(public(store)) as c:
        url: str | None = "/topics/big"
        while url is not None:
            r = await c.get(url)
            assert r.status == 200, url
            html = await r.text()
            sizes.append(len(html.encode()))
            tags = Tags(html)
            ids = [a["id"] or "" for t, a in tags.tags if t == "li" and (a.get("id") or "").startswith(("flag-", "claim-"))]
            assert len(ids) <= CLAIMS_PER_PAGE
            seen += [i.split("-", 1)[1] for i in ids]
            nexts = [a["href"] for t, a in tags.tags if t == "a" and a.get("rel") == "next"]
            url = nexts[0] if nexts else None
            if len(seen) == len(ids):  # page 1 alone carries the theses, positions and sources
                assert "Who stands where" in html and "Sources cited" in html
            else:
                assert "Who stands where" not in html and b.topic.title in html
    expected = [f.id for f in b.flagged] + [c for c in (e.claim.id for e in store.claims_for("big"))
                                            if c not in {f.id for f in b.flagged}]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert seen[:len(b.flagged)] == [f.id for f in b.flagged]  # flagged claims come first, most serious first
    assert len(sizes) == -(-len(expected) // CLAIMS_PER_PAGE)
    assert max(sizes) < 400_000


@pytest.mark.parametrize("page", ["0", "99", "abc", "-1", "1e3", "٣", "9" * 40])
async def test_a_page_that_does_not_exist_gets_404_with_its_range(fixture_store: Store, page: str) -> None:
    async with client(public(fixture_store)) as c:
        r = await c.get("/topics/china", params={"page": page})
        text = Tags(await r.text()).all_text()
    assert r.status == 404
    assert "numbered 1 to 1" in text and "Traceback" not in text
