"""HTML from Jinja2 templates, autoescaped: no text of the store can become markup or a live link."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.core import permalinks
from bot.core.compose import KIND_EMOJI, SIGNAL_MARK, tally_text
from bot.core.labels import LABEL_EMOJI
from bot.web.matrix import FILL, INK, STANCES, SYMBOL

# (path, extra unsigned query parameters) -> the href of one of our pages.
Link = Callable[..., str]


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("bot.web", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(LABEL_EMOJI=LABEL_EMOJI, KIND_EMOJI=KIND_EMOJI, SIGNAL_MARK=SIGNAL_MARK, paths=_Paths, tally=tally_text,
                       FILL=FILL, INK=INK, STANCES=STANCES, SYMBOL=SYMBOL)
    env.filters["jsonld"] = json_ld
    env.filters["external"] = external_url
    return env


def render(template: str, link: Link, **context: Any) -> str:
    """One page; `link` makes the hrefs of our own pages (signed or not)."""
    return environment().get_template(template).render(link=link, **context)


def json_ld(data: object) -> Markup:
    """JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped so text cannot close the tag."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def external_url(url: str | None) -> str | None:
    """A link out only for plain http(s) addresses; anything else is shown as text, not linked."""
    if url and (url.startswith("https://") or url.startswith("http://")) and not any(c.isspace() for c in url):
        return url
    return None


class _Paths:
    """The page paths, for templates: `paths.topic(id)`, `paths.claim(id)`, `paths.source(id)`."""

    topic = staticmethod(permalinks.topic_path)
    claim = staticmethod(permalinks.claim_path)
    source = staticmethod(permalinks.source_path)
