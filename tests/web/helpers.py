"""Serving the web pages on loopback for tests, and reading the HTML they return."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from html.parser import HTMLParser

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import web_pages
from bot.core.store import Store
from bot.runtime.settings import load_settings
from bot.web.server import Pages

SECRET = "test-secret-0123456789abcdef"


def pages(current: Callable[[], Store], **settings: object) -> Pages:
    """The pages as the app builds them, from settings given as keyword overrides."""
    return web_pages(load_settings(**settings), {}, current)


@asynccontextmanager
async def client(p: Pages) -> AsyncIterator[TestClient]:
    app = web.Application()
    app.add_routes(p.routes())
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for t, a in self.tags if t == "a" and "href" in a]

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())
