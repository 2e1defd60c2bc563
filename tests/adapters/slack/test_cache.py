"""The encoded-reply cache: each body is the JSON of a fresh rendering, made once per document and arguments."""
from __future__ import annotations

import json

from bot.adapters.slack import blocks
from bot.adapters.slack.cache import reply_bodies
from bot.core.briefer import Briefer
from bot.core.document import Document, Section, Text, plain

BUTTON = {"type": "actions", "elements": [{"type": "button", "action_id": "x", "value": "china",
                                           "text": {"type": "plain_text", "text": "Post to channel"}}]}
FIELDS = (("response_type", "ephemeral"),)


def long_doc(title: str = "Brief: <!channel> & *China*") -> Document:
    """A document of many pages, with text to escape, so cutting and the cut note are exercised."""
    sections = [Section(title=f"Part {i} <@U1>", blocks=[Text(line=[plain(f"<!here> {i} & " + "word " * 500)])
                                                           for _ in range(6)]) for i in range(12)]
    return Document(title=title, summary=[plain("What <https://x.test|this> says")], sections=sections)


def fresh(doc: Document, extra: list[dict], fields: tuple[tuple[str, object], ...], limit: int) -> list[dict]:
    """The bodies as the adapter built them before the cache: render, cut, add the fields."""
    base = {**dict(fields), "text": blocks.fallback_text(doc)}
    return [{**base, "blocks": page} for page in blocks.fit_pages(blocks.render_blocks(doc, extra=extra), limit)]


def test_cached_bodies_are_the_json_of_a_fresh_rendering() -> None:
    doc = long_doc()
    assert len(blocks.render_blocks(doc)) > 5  # long enough to be cut
    bodies = reply_bodies(doc, extra=[BUTTON], fields=FIELDS, limit=5)
    assert [json.loads(b) for b in bodies] == fresh(doc, [BUTTON], FIELDS, 5)
    assert len(bodies) == 5 and blocks.CUT_NOTE.split(";")[0] in bodies[-1].decode()
    assert b"<!channel>" not in b"".join(bodies) and b"<!here>" not in b"".join(bodies)  # still escaped
    assert all(b.isascii() for b in bodies)  # encodes whatever str a document holds


def test_bodies_are_encoded_once_per_document_and_arguments() -> None:
    doc = long_doc()
    first = reply_bodies(doc, extra=[BUTTON], fields=FIELDS, limit=5)
    assert reply_bodies(doc, extra=[dict(BUTTON)], fields=FIELDS, limit=5) is first  # an equal extra: a hit
    public = (("response_type", "in_channel"), ("replace_original", False))
    other = reply_bodies(doc, extra=[BUTTON], fields=public, limit=5)
    assert [json.loads(b) for b in other] == fresh(doc, [BUTTON], public, 5)
    assert [json.loads(b) for b in reply_bodies(doc, fields=FIELDS, limit=5)] == fresh(doc, [], FIELDS, 5)
    assert [json.loads(b) for b in reply_bodies(doc, fields=FIELDS, limit=2)] == fresh(doc, [], FIELDS, 2)


def test_a_new_document_is_rendered_afresh() -> None:
    old = long_doc()
    old_bodies = reply_bodies(old, fields=FIELDS, limit=5)
    new = long_doc("Brief: Russia")  # the next snapshot's document for the same request
    new_bodies = reply_bodies(new, fields=FIELDS, limit=5)
    assert [json.loads(b) for b in new_bodies] == fresh(new, [], FIELDS, 5)
    assert json.loads(new_bodies[0])["blocks"][0] != json.loads(old_bodies[0])["blocks"][0]


def test_the_help_answer_is_encoded_once(fixture_briefer: Briefer) -> None:
    first, _ = fixture_briefer.answer("help")
    again, _ = fixture_briefer.answer("help")
    assert again is first  # one help document, so its replies hit the cache
    assert reply_bodies(again, fields=FIELDS, limit=5) is reply_bodies(first, fields=FIELDS, limit=5)
