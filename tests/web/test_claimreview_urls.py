"""`briefbot export --format claimreview` with PUBLIC_URL set: every url is a real claim page."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.cli.main import main
from bot.core.store import Store
from tests.conftest import BRIEFS
from tests.curation.test_export import assert_required_fields
from tests.web.helpers import client, pages

PUBLIC = "https://brief.example.org"


async def test_export_with_public_url_passes_the_required_fields_with_urls_that_serve_the_review(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PUBLIC_URL", PUBLIC)
    monkeypatch.delenv("BRIEFBOT_PUBLIC_URL", raising=False)
    out = tmp_path / "reviews.json"
    assert main(["--briefs", str(BRIEFS), "export", "--format", "claimreview", "--out", str(out)]) == 0
    assert "lacks the `url`" not in capsys.readouterr().err
    reviews = json.loads(out.read_text())
    assert reviews
    async with client(pages(lambda: store, web_access="public", public_url=PUBLIC)) as c:
        for review in reviews:
            assert_required_fields(review, store)
            r = await c.get(urlsplit(review["url"]).path)
            assert r.status == 200, review["url"]
            embedded = re.search(r'ld\+json">(.*?)</script>', await r.text(), re.S)
            assert embedded and json.loads(embedded.group(1))["url"] == review["url"]
            assert json.loads(embedded.group(1))["reviewRating"] == review["reviewRating"]


def test_export_without_public_url_still_warns(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("BRIEFBOT_PUBLIC_URL", raising=False)
    assert main(["--briefs", str(BRIEFS), "export", "--format", "claimreview"]) == 0
    captured = capsys.readouterr()
    assert "PUBLIC_URL" in captured.err and all("url" not in r for r in json.loads(captured.out))
