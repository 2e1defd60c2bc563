"""The Discord embed renderer: Discord's limits hold for every document, and nothing renders as a mention."""
from __future__ import annotations

import json
import re

import discord
import pytest

from bot.adapters.discord.embeds import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    EMBEDS_PER_MESSAGE,
    FOOTER_MAX,
    TITLE_MAX,
    Page,
    embed_problems,
    escape,
    render_embeds,
    render_span,
    split_text,
)
from bot.core.briefer import Briefer
from bot.core.document import Document, Section, Text, bold, code, message, plain
from bot.core.store import load_store
from tests.conftest import BRIEFS
from tests.fakes.discord_api import embed_errors
from tests.fakes.documents import HOSTILE, oversized_brief, oversized_document

LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>")


def assert_within_limits(pages: list[Page]) -> None:
    """Every page passes our own check, the fake Discord's check, and discord.py's own count."""
    assert pages
    for page in pages:
        assert embed_problems(page) == []
        assert embed_errors([e.to_dict() for e in page]) == []
        assert 1 <= len(page) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in page) <= EMBED_TOTAL_MAX


def all_text(pages: list[Page]) -> str:
    return json.dumps([[e.to_dict() for e in page] for page in pages], ensure_ascii=False)


def real_store_topics() -> list[str]:
    if not (BRIEFS / "topics").is_dir() or not any((BRIEFS / "topics").glob("*.yaml")):
        return []
    return sorted(load_store(BRIEFS).topics)


@pytest.mark.parametrize("topic", ["china", "russia"])
def test_fixture_briefs_fit_one_message(fixture_briefer: Briefer, topic: str) -> None:
    doc, _ = fixture_briefer.answer(topic)
    pages = render_embeds(doc)
    assert_within_limits(pages)
    assert len(pages) == 1
    assert pages[0][0].title == doc.title
    assert [e.title for e in pages[0][1:]] == [s.title for s in doc.sections]
    assert pages[0][-1].footer.text == doc.footer  # one page: no counter


@pytest.mark.skipif(not real_store_topics(), reason="briefs/ has no topics in this checkout (it arrives with the merge)")
def test_every_topic_in_briefs_renders_within_limits() -> None:
    briefer = Briefer(load_store(BRIEFS))
    for topic in real_store_topics():
        assert_within_limits(render_embeds(briefer.answer(topic)[0]))


def test_oversized_brief_paginates_within_limits(fixture_briefer: Briefer) -> None:
    doc = oversized_brief(fixture_briefer)
    pages = render_embeds(doc)
    assert len(pages) > 3
    assert_within_limits(pages)
    assert pages[0][0].title is not None and pages[0][0].title.endswith("…")
    footers = [page[-1].footer.text for page in pages]
    assert footers[0].endswith(f" · 1/{len(pages)}") and footers[-1].endswith(f" · {len(pages)}/{len(pages)}")


def test_oversized_brief_loses_no_claim(fixture_briefer: Briefer) -> None:
    doc = oversized_brief(fixture_briefer, copies=40)
    text = all_text(render_embeds(doc))
    assert text.count("claim oped-split") == 40  # every flagged item's note made it onto some page


def test_every_part_over_its_limit_still_renders(fixture_briefer: Briefer) -> None:
    pages = render_embeds(oversized_document(), marker="ref 0123456789abcdef0123")
    assert_within_limits(pages)
    assert len(pages) > EMBEDS_PER_MESSAGE
    assert all(len(e.title or "") <= TITLE_MAX and len(e.description or "") <= DESCRIPTION_MAX
               for page in pages for e in page)
    footer = pages[0][-1].footer.text or ""
    assert len(footer) <= FOOTER_MAX and re.search(r"ref 0123456789abcdef0123 · 1/\d+$", footer)


def test_nothing_renders_as_a_mention(fixture_briefer: Briefer) -> None:
    doc = Document(title=HOSTILE, summary=[plain(HOSTILE), code(HOSTILE)],
                   sections=[Section(title=HOSTILE, blocks=[Text(line=[bold(HOSTILE)])])], footer=HOSTILE)
    for pages in (render_embeds(doc), render_embeds(oversized_document())):
        text = "".join(f"{e.title}{e.description}{e.footer.text}" for page in pages for e in page)
        assert LIVE_MENTION.findall(text) == []
    assert "everyone" in all_text(render_embeds(doc))


def test_user_text_is_escaped_not_formatted() -> None:
    assert escape("**x** _y_ `z`") == "\\*\\*x\\*\\* \\_y\\_ \\`z\\`"
    assert render_span(bold("Curator: ")) == "**Curator:** "  # Discord ignores `**x **`
    assert render_span(code("a`b")) == "`aˋb`"
    assert render_span(plain("see", ).model_copy(update={"url": "https://e.com/a b"})) == "[see](<https://e.com/a%20b>)"


def test_error_documents_are_red_and_info_is_blurple() -> None:
    assert render_embeds(message("No", "x", tone="error"))[0][0].colour == discord.Colour.red()
    assert render_embeds(message("Yes", "x"))[0][0].colour == discord.Colour.blurple()


@pytest.mark.parametrize("text", ["a" * 5000, "word " * 2000, "line\n" * 2000, "\\*" * 3000, ""])
def test_split_text_respects_the_limit_and_keeps_the_text(text: str) -> None:
    chunks = split_text(text, 1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    # An odd run of backslashes at a chunk's end would escape nothing and eat the next chunk's first character.
    assert all((len(c) - len(c.rstrip("\\"))) % 2 == 0 for c in chunks)
