"""Signed links: valid ones open the page and every link on it; missing, tampered or expired get 403."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.core.briefer import Briefer
from bot.core.store import Store
from bot.runtime.settings import SettingsError
from bot.web.signing import EXPIRED, MALFORMED, MISSING, NO_SECRET, TAMPERED, Signer
from tests.web.helpers import SECRET, Tags, client, pages

HOURS = 2


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def signed(store: Store, clock: Clock, **settings: object):
    p = pages(lambda: store, web_signing_secret=SECRET, web_link_expiry_hours=HOURS, **settings)
    assert p.settings.signer is not None
    p.settings.signer.clock = clock
    return p


async def test_a_signed_link_opens_the_page_and_every_page_it_links_to(fixture_store: Store) -> None:
    clock = Clock()
    p = signed(fixture_store, clock)
    assert p.settings.signer is not None
    link = p.settings.signer.sign("/topics/china")
    async with client(p) as c:
        r = await c.get(link)
        assert r.status == 200
        hrefs = {h for h in Tags(await r.text()).hrefs() if h.startswith("/")}
        assert any(h.startswith("/claims/") for h in hrefs) and any(h.startswith("/sources/") for h in hrefs)
        exp = parse_qs(urlsplit(link).query)["exp"]
        for href in sorted(hrefs):  # links on the page keep the expiry of the link that opened it
            assert parse_qs(urlsplit(href).query)["exp"] == exp, href
            assert (await c.get(href)).status == 200, href
        assert r.headers["Cache-Control"] == "private, no-store" and 'name="robots"' in await r.text()


async def test_the_search_form_carries_a_signature_for_search(fixture_store: Store) -> None:
    clock = Clock()
    p = signed(fixture_store, clock)
    assert p.settings.signer is not None
    async with client(p) as c:
        page = Tags(await (await c.get(p.settings.signer.sign("/"))).text())
        fields = {a["name"]: a["value"] for t, a in page.tags if t == "input" and a.get("type") == "hidden"}
        assert set(fields) == {"exp", "sig"}
        r = await c.get("/search", params={**fields, "q": "pekin"})  # what the form submits
        assert r.status == 200 and "/topics/china" in "".join(Tags(await r.text()).hrefs())


@pytest.mark.parametrize("case", ["missing", "only-exp", "letters", "bad-sig", "other-path", "later-exp", "expired"])
async def test_a_bad_link_gets_403_with_a_short_explanation(fixture_store: Store, case: str) -> None:
    clock = Clock()
    p = signed(fixture_store, clock)
    signer = p.settings.signer
    assert signer is not None
    good = signer.sign("/topics/china")
    q = parse_qs(urlsplit(good).query)
    exp, sig = q["exp"][0], q["sig"][0]
    url, why = {
        "missing": ("/topics/china", MISSING),
        "only-exp": (f"/topics/china?exp={exp}", MALFORMED),
        "letters": (f"/topics/china?exp=soon&sig={sig}", MALFORMED),
        "bad-sig": (f"/topics/china?exp={exp}&sig={sig[:-1]}{'0' if sig[-1] != '0' else '1'}", TAMPERED),
        "other-path": (f"/topics/russia?exp={exp}&sig={sig}", TAMPERED),
        "later-exp": (f"/topics/china?exp={int(exp) + 3600}&sig={sig}", TAMPERED),
        "expired": (good, EXPIRED),
    }[case]
    if case == "expired":
        clock.now += HOURS * 3600 + 1
    async with client(p) as c:
        r = await c.get(url)
        body = await r.text()
    assert r.status == 403
    assert why.message in body
    assert "Moscow" not in body  # nothing of the store leaks on a refusal


async def test_a_link_is_good_until_its_expiry_and_not_after(fixture_store: Store) -> None:
    clock = Clock()
    p = signed(fixture_store, clock)
    assert p.settings.signer is not None
    clock.now += 1234  # not on the hour
    link = p.settings.signer.sign("/sources/paper")
    exp = int(parse_qs(urlsplit(link).query)["exp"][0])
    # The lifetime, rounded up to the hour: links given out in one hour share their expiry (and cached pages).
    assert clock.now + HOURS * 3600 <= exp < clock.now + HOURS * 3600 + 3600 and exp % 3600 == 0
    assert p.settings.signer.sign("/sources/paper") == link
    async with client(p) as c:
        clock.now = exp - 1
        assert (await c.get(link)).status == 200
        clock.now = exp
        assert (await c.get(link)).status == 403


async def test_signed_pages_without_a_secret_are_closed_and_say_why(fixture_store: Store) -> None:
    p = pages(lambda: fixture_store)
    async with client(p) as c:
        r = await c.get("/topics/china")
        assert r.status == 403 and "WEB_SIGNING_SECRET" in await r.text()
    assert NO_SECRET.reason == "not-configured" and p.chat_link("/topics/china") is None


async def test_web_access_public_opens_the_pages_without_a_signature(fixture_store: Store) -> None:
    async with client(pages(lambda: fixture_store, web_access="public")) as c:
        r = await c.get("/topics/china")
        assert r.status == 200 and 'name="robots"' not in await r.text()
        assert all("sig=" not in h for h in Tags(await r.text()).hrefs())


def test_public_url_with_signed_access_needs_a_secret_of_some_length(fixture_store: Store) -> None:
    with pytest.raises(SettingsError, match="WEB_SIGNING_SECRET is not"):
        pages(lambda: fixture_store, public_url="https://brief.example.org")
    with pytest.raises(SettingsError, match="at least 16"):
        pages(lambda: fixture_store, web_signing_secret="short")
    assert pages(lambda: fixture_store, public_url="https://brief.example.org", web_access="public")


async def test_chat_links_follow_public_url(fixture_store: Store) -> None:
    clock = Clock()
    off = signed(fixture_store, clock)
    assert off.chat_link("/topics/china") is None  # no PUBLIC_URL: no link, no error
    on = signed(fixture_store, clock, public_url="https://brief.example.org/team/")
    link = on.chat_link("/topics/china")
    assert link is not None and link.startswith("https://brief.example.org/team/topics/china?exp=")
    async with client(on) as c:
        local = link.removeprefix("https://brief.example.org/team")  # what the proxy forwards
        r = await c.get(local)
        assert r.status == 200
        hrefs = [h for h in Tags(await r.text()).hrefs() if h.startswith("/")]
        assert hrefs and all(h.startswith("/team/") for h in hrefs)  # links on the page stay under the prefix
        assert (await c.get(hrefs[-1].removeprefix("/team"))).status == 200
    opened = pages(lambda: fixture_store, web_access="public", public_url="https://brief.example.org")
    assert opened.chat_link("/claims/rewrite-peskov") == "https://brief.example.org/claims/rewrite-peskov"


async def test_pages_follow_the_snapshot_in_service_and_change_on_reload(fixture_store: Store, store: Store) -> None:
    briefer = Briefer(fixture_store)
    p = pages(lambda: briefer.store, web_access="public")
    async with client(p) as c:
        before = await (await c.get("/topics/china")).text()
        assert fixture_store.version in before and (await c.get("/topics/energy")).status == 404
        assert p.snapshots.get() is p.snapshots.get()  # cached while the snapshot serves
        assert ("/topics/china", None, None, f"{c.host}:{c.port}") in p.snapshots.get().pages._pages
        assert await (await c.get("/topics/china")).text() == before  # from the cache
        briefer.swap(store)
        after = await (await c.get("/topics/china")).text()
        assert store.version in after and fixture_store.version not in after
        assert (await c.get("/topics/energy")).status == 200
        assert p.snapshots.get().store is store


def test_the_signer_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError):
        Signer("tooshort", 60)


async def test_the_next_page_of_a_signed_topic_page_opens_and_a_forged_page_number_still_needs_the_signature() -> None:
    from tests.fakes.synthetic import one_big_topic_store

    store = one_big_topic_store(claims=250, sources=10)
    clock = Clock()
    p = signed(store, clock)
    assert p.settings.signer is not None
    async with client(p) as c:
        r = await c.get(p.settings.signer.sign("/topics/big"))
        tags = Tags(await r.text())
        nexts = [a["href"] or "" for t, a in tags.tags if t == "a" and a.get("rel") == "next"]
        assert r.status == 200 and len(set(nexts)) == 1  # the same link above and below the claims
        r2 = await c.get(nexts[0])
        assert r2.status == 200 and "page 2 of 3" in Tags(await r2.text()).all_text()
        assert (await c.get("/topics/big?page=2")).status == 403  # the page number is no way around the signature
