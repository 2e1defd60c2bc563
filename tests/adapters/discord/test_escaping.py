"""Hostile source text on Discord and Slack: no live mention, channel, role or masked link survives."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from bot.adapters.discord.adapter import choice_name
from bot.adapters.discord.embeds import clean_label, escape, inert, render_span
from bot.adapters.slack.blocks import HEADER_CHARS, header_block, slack_len
from bot.core.document import Span
from bot.core.models import Topic

MASKED = re.compile(r"\[[^\]]*\]\(")
MENTION = re.compile(r"<[#@/]|<a:|<t:|@everyone|@here")
BARE_URL = re.compile(r"(?i)[a-z0-9]://")


def test_every_masked_link_on_a_line_is_neutralised() -> None:
    text = "[a](https://x.io) and [b](https://y.io) then [[c]](<https://z.io>) and [d] (https://w.io)"
    shown = escape(text)
    assert not MASKED.search(shown.replace("\\", ""))
    assert shown.count("\u200b") >= 4


def test_a_bare_address_in_source_text_is_shown_but_not_linked() -> None:
    text = "voir https://evil.example/x, <http://y.io> et HTTPS://Z.io ou steam://run/1"
    for shown in (escape(text), inert(text), render_span(Span(text=text))):
        assert not BARE_URL.search(shown), shown
        assert shown.replace("\u200b", "").replace("\\", "").count("://") == 4  # still readable
    curated = render_span(Span(text="the report", url="https://example.org/r"))
    assert "(<https://example.org/r>)" in curated  # a link the curators set stays a link


def test_channel_role_and_user_mentions_are_escaped() -> None:
    for text in ("<#123456789012345678>", "<@&123456789012345678>", "<@123456789012345678>", "@everyone",
                 "</brief:123456789012345678>"):
        assert not MENTION.search(escape(text)) and not MENTION.search(inert(text)), text
    assert "<id>" in escape("digest <id>")  # plain angle brackets stay readable


def test_autocomplete_names_are_cleaned() -> None:
    topic = Topic(id="china", title="China\n\x1b[31m<@&123456789012345678>", description="d", theses=[])
    name = choice_name(topic)
    assert "\n" not in name and "\x1b" not in name and 1 <= len(name) <= 100
    assert clean_label("a\x00b\u202ec") == "a b c"


def test_slack_header_blocks_are_escaped_and_within_their_limit() -> None:
    block = header_block("<!channel> & <@U1>" + "<" * 200)
    text = block["text"]["text"]
    assert "<" not in text and "&lt;!channel&gt; &amp; &lt;@U1&gt;" in text and slack_len(text) <= HEADER_CHARS


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]()<>#@&!/:at everyonhrps\\*_`|1234567890 \n")), max_size=120))
def test_no_hostile_string_renders_a_masked_link_or_a_mention(text: str) -> None:
    for shown in (escape(text), inert(text), render_span(Span(text=text))):
        assert not MASKED.search(shown.replace("\\", "")), shown
        assert not MENTION.search(shown), shown
        assert not BARE_URL.search(shown), shown
