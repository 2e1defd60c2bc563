"""The running app serves the pages on $PORT next to health and metrics; an edit's reload changes them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.app import build, start, stop
from bot.runtime.settings import Settings
from tests.conftest import BRIEFS, ROOT
from tests.polling import wait_for
from tests.web.helpers import SECRET


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(BRIEFS, tmp_path / "briefs")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path


async def test_pages_on_port_signed_health_open_and_reload_changes_them(tree: Path, unused_tcp_port: int) -> None:
    settings = Settings(briefs_dir=tree / "briefs", config_dir=tree / "config", state_dir=tree / "state",
                        console=True, port=unused_tcp_port, host="127.0.0.1",
                        public_url=f"http://127.0.0.1:{unused_tcp_port}", web_signing_secret=SecretStr(SECRET))
    app = build(settings, env={})
    assert app.pages is not None
    await start(app)
    try:
        link = app.pages.chat_link("/topics/china")
        assert link is not None
        async with ClientSession() as http:
            for path in ("/healthz", "/readyz", "/metrics"):  # unchanged: no signature needed
                async with http.get(f"http://127.0.0.1:{unused_tcp_port}{path}") as r:
                    assert r.status == 200, path
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/topics/china") as r:
                assert r.status == 403
            async with http.get(link) as r:
                before = await r.text()
                assert r.status == 200 and app.briefer.store.version in before
            topic = tree / "briefs" / "topics" / "china.yaml"
            topic.write_text(topic.read_text().replace("title: China", "title: China (edited)", 1))
            old = app.briefer.store.version
            await wait_for(lambda: app.briefer.store.version != old)
            async with http.get(link) as r:
                after = await r.text()
            assert "Brief: China (edited)" in after and app.briefer.store.version in after
    finally:
        await stop(app)


class LinkedAdapter:
    """Stands in for a platform adapter: the app hands anything with a `web_link` the chat links."""

    name = "linked"
    web_link = None


@pytest.mark.parametrize("public_url", [None, "https://brief.example.org"])
def test_the_app_gives_adapters_chat_links_only_with_public_url(tree: Path, public_url: str | None) -> None:
    adapter = LinkedAdapter()
    settings = Settings(briefs_dir=tree / "briefs", config_dir=tree / "config", state_dir=tree / "state",
                        public_url=public_url, web_signing_secret=SecretStr(SECRET))
    app = build(settings, env={}, factories={"linked": lambda *_: adapter})  # type: ignore[arg-type,return-value]
    assert app.pages is not None
    if public_url is None:
        assert adapter.web_link is None
    else:
        assert adapter.web_link == app.pages.chat_link
        assert str(adapter.web_link("/topics/china")).startswith(f"{public_url}/topics/china?exp=")
