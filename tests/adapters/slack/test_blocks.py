"""The Block Kit renderer: escaping, exact JSON for a small document, limits for large ones."""
from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot.adapters.slack.blocks import (
    HEADER_CHARS,
    MAX_BLOCKS,
    MESSAGE_CHARS,
    SECTION_CHARS,
    escape_mrkdwn,
    fallback_text,
    render_blocks,
    render_span,
    slack_len,
    split_text,
)
from bot.core.briefer import Briefer
from bot.core.document import Document, Item, Note, Section, Span, Text, bold, code, italic, plain


def page_chars(page: list[dict]) -> int:
    """Characters of text on a page, counted like the renderer's budget (header aside)."""
    total = 0
    for block in page[1:]:
        if block["type"] == "context":
            total += sum(slack_len(e["text"]) for e in block["elements"])
        elif "text" in block:
            total += slack_len(block["text"]["text"])
    return total


def assert_within_limits(pages: list[list[dict]]) -> None:
    """Every page passes Slack's limits, as slack_sdk's own block models check them."""
    for page in pages:
        assert 1 <= len(page) <= MAX_BLOCKS
        assert page_chars(page) <= MESSAGE_CHARS
        for raw in page:
            Block.parse(raw).validate_json()  # raises SlackObjectFormationError past 3,000 / 150


@pytest.mark.parametrize(("raw", "escaped"), [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U123|admin>", "&lt;@U123|admin&gt;"),
    ("Tom & Jerry > all", "Tom &amp; Jerry &gt; all"),
    ("&amp;", "&amp;amp;"),
    ("plain", "plain"),
])
def test_escape_mrkdwn(raw: str, escaped: str) -> None:
    assert escape_mrkdwn(raw) == escaped


@pytest.mark.parametrize(("span", "out"), [
    (bold("a*b"), "*a∗b*"),
    (bold(" spaced "), " *spaced* "),
    (italic("“a_quote”"), "_“a＿quote”_"),
    (code("x`y<z>"), "`xˋy&lt;z&gt;`"),
    (Span(text="site", url="https://example.org/?a=1&b=2"), "<https://example.org/?a=1&amp;b=2|site>"),
    (Span(text="bad", url="javascript:alert(1)"), "bad"),
])
def test_render_span(span: Span, out: str) -> None:
    assert render_span(span) == out


def test_small_document_renders_to_exact_blocks() -> None:
    doc = Document(
        title="Brief: <Test>",
        summary=[plain("2 sources · "), bold("1 flagged")],
        sections=[Section(title="Key claims", blocks=[
            Item(badge="❓", head=[bold("Unsupported"), plain(" · Paper")], body=[[plain("A & B")]], note=[plain("claim c1")]),
            Note(line=[plain("[s1] Source")]),
        ])],
        footer="Store v1.",
    )
    assert render_blocks(doc) == [[
        {"type": "header", "text": {"type": "plain_text", "text": "Brief: &lt;Test&gt;", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "2 sources · *1 flagged*", "verbatim": True}},
        {"type": "section", "text": {"type": "mrkdwn", "verbatim": True,
                                     "text": "*Key claims*\n❓ *Unsupported* · Paper\nA &amp; B\n_claim c1_\n\n› _[s1] Source_"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Store v1.", "verbatim": True}]},
    ]]


def test_error_document_gets_a_warning_header() -> None:
    doc = Document(title="Cannot brief that", summary=[plain("No.")], tone="error")
    assert render_blocks(doc)[0][0]["text"]["text"] == "⚠️ Cannot brief that"


def test_long_title_is_cut_to_the_header_limit() -> None:
    pages = render_blocks(Document(title="T" * 400))
    header = pages[0][0]["text"]["text"]
    assert len(header) == HEADER_CHARS and header.endswith("…")


def test_split_text_respects_limit_and_never_cuts_an_entity() -> None:
    text = escape_mrkdwn("&" * 5000)  # 25,000 characters of entities, no spaces
    pieces = split_text(text, SECTION_CHARS)
    assert all(slack_len(p) <= SECTION_CHARS for p in pieces)
    assert all(p.startswith("&amp;") and p.endswith("&amp;") for p in pieces)
    assert "".join(pieces) == text


def test_split_text_counts_utf16_units() -> None:
    pieces = split_text("😀" * 2000, SECTION_CHARS)  # 4,000 UTF-16 units
    assert [slack_len(p) for p in pieces] == [3000, 1000]


def synthetic(items: int, body_chars: int, sections: int = 3) -> Document:
    """A large document full of hostile text."""
    hostile = "<!channel> & <@U1> *x* _y_ "
    return Document(
        title="Brief: " + "Oversized " * 30,
        summary=[plain(hostile * 200)],
        sections=[
            Section(title=f"Section {s} " + "*" * 10, blocks=[
                Item(badge="❗", head=[bold(hostile)], body=[[plain((hostile * body_chars)[:body_chars])]],
                     note=[plain(f"claim {s}.{i}")])
                for i in range(items)
            ] + [Text(line=[plain("w " * 4000)])])
            for s in range(sections)
        ],
        footer="Footer " * 700,
    )


@pytest.mark.parametrize(("items", "body_chars"), [(300, 100), (60, 2500), (5, 20000), (120, 800)])
def test_oversized_documents_split_into_pages_within_limits(items: int, body_chars: int) -> None:
    doc = synthetic(items, body_chars)
    pages = render_blocks(doc)
    assert len(pages) > 1
    assert_within_limits(pages)
    texts = "\n".join(b["text"]["text"] for p in pages for b in p if b["type"] == "section")
    assert "<!channel>" not in texts and "<@U1>" not in texts
    assert texts.count("claim ") == 3 * items  # nothing lost between pages
    titles = [p[0]["text"]["text"] for p in pages]
    assert titles[0].endswith(f"(1/{len(pages)})") and titles[-1].endswith(f"({len(pages)}/{len(pages)})")


def test_continued_section_repeats_its_title_on_the_next_page() -> None:
    pages = render_blocks(synthetic(60, 2500, sections=1))
    assert pages[1][1]["text"]["text"].startswith("*Section 0 ∗∗∗∗∗∗∗∗∗∗ (continued)*\n")


def test_extra_blocks_end_the_last_page() -> None:
    button = {"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "v",
                                               "text": {"type": "plain_text", "text": "Go"}}]}
    pages = render_blocks(synthetic(300, 100), extra=[button])
    assert pages[-1][-1] == button and all(button not in p for p in pages[:-1])
    assert_within_limits(pages)


def test_fallback_text_is_escaped_and_short() -> None:
    text = fallback_text(synthetic(1, 10))
    assert "<!channel>" not in text and slack_len(text) <= 3000


def test_fixture_briefs_render_within_limits(fixture_briefer: Briefer) -> None:
    for topic in fixture_briefer.store.topics:
        doc, _ = fixture_briefer.answer(topic)
        pages = render_blocks(doc)
        assert len(pages) == 1
        assert_within_limits(pages)
