"""The console adapter: commands typed as text, documents rendered as text or Markdown."""
from __future__ import annotations

import io

from bot.adapters.base import Adapter
from bot.adapters.console import ConsoleAdapter, escape_markdown, render_markdown
from bot.core.document import Document, Section, Text, bold, plain


def test_console_implements_the_adapter_interface(fixture_briefer) -> None:
    assert isinstance(ConsoleAdapter(fixture_briefer), Adapter)


def test_handle_answers_brief_and_errors(fixture_briefer) -> None:
    console = ConsoleAdapter(fixture_briefer)
    assert "Brief: China" in console.handle("/brief chine")
    assert "Did you mean china?" in console.handle("/brief chnia")
    assert "Available topics" in console.handle("/brief")
    assert "How to use /brief" in console.handle("/brief help")


async def test_post_prints_with_the_key_and_finds_it_again(fixture_briefer) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(fixture_briefer, out=out)
    doc = Document(title="Digest", sections=[Section(title="S", blocks=[Text(line=[plain("hello")])])])
    receipt = await console.post("general", doc, key="d1:general:2026-11-22")
    assert "#general [d1:general:2026-11-22]" in out.getvalue() and "hello" in out.getvalue()
    assert await console.find_post("general", "d1:general:2026-11-22") == receipt
    assert await console.find_post("general", "other") is None


def test_markdown_escapes_source_text() -> None:
    doc = Document(title="T", summary=[plain("*not bold* [x](http://evil)"), bold("b")])
    md = render_markdown(doc)
    assert r"\*not bold\* \[x\]\(http://evil\)" in md and "**b**" in md
    assert escape_markdown("a_b") == r"a\_b"


def test_console_reaches_every_view_by_text(briefer) -> None:  # type: ignore[no-untyped-def]
    from bot.adapters.console import ConsoleAdapter

    console = ConsoleAdapter(briefer)
    summary = console.handle("/brief china")
    assert summary.startswith("Brief: China") and "More: /brief china thesis · /brief china flagged" in summary
    assert "Open one: /brief source <id> · /brief claim <id>" in summary
    flagged = console.handle("/brief russia flagged 2")
    assert flagged.startswith("Flagged: Russia") and "page 2 of" in flagged and "/brief russia flagged" in flagged
    assert console.handle("/brief china sources").startswith("Sources: China")
    assert console.handle("/brief source wsj-russia-china-offer-report").startswith("Source: ")
    card = console.handle("/brief claim cmt-peskov-cannot-dance-alone")
    assert card.startswith("Claim: ") and "[fr]" in card and "More: /brief china" not in card
    search = console.handle("/brief pankin")
    assert search.startswith("Search: pankin") and "claim cmt-pankin-20000-sanctions" in search


def test_the_console_shows_a_brief_s_web_address_only_when_the_pages_have_one(fixture_briefer) -> None:
    console = ConsoleAdapter(fixture_briefer)
    assert "Open in browser" not in console.handle("/brief china")
    console.web_link = lambda path: f"https://brief.example.org{path}?exp=1&sig=ab"
    shown = console.handle("/brief china")
    assert shown.rstrip().endswith("Open in browser: https://brief.example.org/topics/china?exp=1&sig=ab")
    assert "Open in browser" not in console.handle("/brief no-such-topic-xyz")  # an error has no page
