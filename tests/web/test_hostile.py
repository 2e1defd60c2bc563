"""Hostile text in the store stays text: no script, no live link, no broken JSON-LD."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.core.store import Store, load_store
from tests.web.helpers import Tags, client, pages

SCRIPT = "<script>alert(1)</script>"
CLOSE = "</script><script>alert(2)</script>"
ANCHOR = '<a href="javascript:alert(3)">click</a>'
ATTR = '" onmouseover="alert(4)'
MENTION = "@everyone https://evil.example/x"

TOPIC = f"""id: hostile
title: 'Hostile {SCRIPT}'
description: '{ANCHOR}'
aliases: ['{ATTR}']
theses:
  - id: t1
    statement: 'Thesis {SCRIPT}'
"""
SOURCE = f"""id: evil
title: 'Evil {ANCHOR}'
outlet: '{SCRIPT}'
author: '{ATTR}'
language: fr
published: 2025-01
kind: op-ed
url: 'https://evil.example/a?b=1&c=<x>'
note: '{MENTION} {ANCHOR}'
positions:
  - topic: hostile
    summary: '{SCRIPT}'
    stances: [{{thesis: t1, stance: supports, note: '{ANCHOR}'}}]
claims:
  - id: evil-claim
    statement: 'Statement {SCRIPT}'
    quote: 'selon des sources {CLOSE} {MENTION}'
    speaker: '{ATTR}'
    topics: [hostile]
    theses: [t1]
    evidence: unsupported
    attribution: anonymous
    commitment: asserted
    reason: '{ANCHOR}'
    evidence_refs: [{{title: '{SCRIPT}', url: 'https://evil.example/ref'}}]
"""


@pytest.fixture
def hostile(tmp_path: Path) -> Store:
    (tmp_path / "topics").mkdir()
    (tmp_path / "sources").mkdir()
    (tmp_path / "topics" / "hostile.yaml").write_text(TOPIC, encoding="utf-8")
    (tmp_path / "sources" / "evil.yaml").write_text(SOURCE, encoding="utf-8")
    return load_store(tmp_path)


PATHS = ["/", "/topics/hostile", "/claims/evil-claim", "/sources/evil", "/search?q=alert"]


@pytest.mark.parametrize("path", PATHS)
async def test_hostile_store_text_is_escaped_on_every_page(hostile: Store, path: str) -> None:
    async with client(pages(lambda: hostile, web_access="public", public_url="https://brief.example.org")) as c:
        r = await c.get(path)
        html = await r.text()
    assert r.status == 200
    tags = Tags(html)
    scripts = [a for t, a in tags.tags if t == "script"]
    assert all(a.get("type") == "application/ld+json" for a in scripts)  # no script that runs
    assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs)  # no event handler attribute
    for href in tags.hrefs():
        assert not href.startswith("javascript:") and "evil.example/x" not in href
    assert "alert(1)" in tags.all_text()  # shown, as text
    assert "<script>alert" not in html and '<a href="javascript' not in html


async def test_the_claimreview_block_cannot_be_closed_by_a_quote(hostile: Store) -> None:
    async with client(pages(lambda: hostile, web_access="public", public_url="https://brief.example.org")) as c:
        html = await (await c.get("/claims/evil-claim")).text()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    review = json.loads(blocks[0])
    assert CLOSE in review["itemReviewed"]["text"]  # the JSON still holds the exact words


async def test_only_curated_http_addresses_become_links_out(hostile: Store) -> None:
    async with client(pages(lambda: hostile, web_access="public")) as c:
        hrefs = Tags(await (await c.get("/sources/evil")).text()).hrefs()
        claim = Tags(await (await c.get("/claims/evil-claim")).text()).hrefs()
    outside = [h for h in hrefs + claim if not h.startswith("/")]
    assert sorted(set(outside)) == ["https://evil.example/a?b=1&c=<x>", "https://evil.example/ref"]
