"""The changes view: what the curators changed on one topic since a given store version, page by page.

A digest that has more changes than fit in one message links here (`/brief china changes <since>`);
the changes come from the curators' change log, which every process on a machine shares in STATE_DIR.
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.core.changes import Change, ChangeEntry
from bot.core.document import Block, Document, Item, Line, Section, bold, message, plain
from bot.core.store import Store
from bot.core.views.build import PAGE_CHARS, clip, link, pager, paginate
from bot.core.views.routes import Route

CHANGES_TITLE = "{topic}: what changed since your last digest"
NOT_IN_LOG = ("This process has no record of the changes since that digest (its change log starts later, or "
              "it runs on another machine). The topic's summary shows where things stand now.")
ACTION_WORD = {"added": "New", "changed": "Changed", "withdrawn": "Withdrawn"}
CHANGE_BADGE = {"added": "🆕", "changed": "✏️", "withdrawn": "🗑️"}


def since_key(version: str) -> str:
    """The part of a store version a route carries: its content hash (hex), without the git commit."""
    return version.rsplit("+", 1)[-1][:16].lower()


def is_since_key(word: str) -> bool:
    """Whether a typed word can be the store-version key of `/brief TOPIC changes KEY`."""
    return 6 <= len(word) <= 16 and all(c in "0123456789abcdef" for c in word.lower())


def entries_after(log: Sequence[ChangeEntry], since: str) -> list[ChangeEntry] | None:
    """The log entries after the one that produced the version keyed `since`; None when the log lacks it."""
    starts = [i for i, entry in enumerate(log) if since_key(entry.version) == since]
    return list(log[starts[-1] + 1:]) if starts else None


def topic_changes(entries: Sequence[ChangeEntry], topic_id: str) -> list[Change]:
    """Each claim or position of the topic changed in `entries`, once, with its latest action, in log order."""
    latest: dict[tuple[str, str], Change] = {}
    for entry in entries:
        for change in entry.changes.for_topic(topic_id):
            latest.pop((change.kind, change.id), None)  # re-inserted last: the order of the latest change
            latest[(change.kind, change.id)] = change
    return list(latest.values())


def changes_view(store: Store, topic_id: str, since: str, page: int, log: Sequence[ChangeEntry]) -> Document:
    """One page of the topic's changes since the version keyed `since`, with ◀ / ▶ and a way back."""
    topic = store.topics[topic_id]
    summary = link("⬅ Summary", Route("summary", topic_id))
    entries = entries_after(log, since)
    if entries is None:
        doc = message(CHANGES_TITLE.format(topic=topic.title), NOT_IN_LOG)
        return doc.model_copy(update={"actions": [summary]})
    changes = topic_changes(entries, topic_id)
    me = Route("changes", topic_id, 0, since)
    blocks: list[Block] = [_item(c, store) for c in changes]
    pages = paginate(blocks, PAGE_CHARS - 700) if blocks else [[]]
    page = min(page, len(pages) - 1)
    count = f"{len(changes)} change(s)" + (f" · page {page + 1} of {len(pages)}" if len(pages) > 1 else "")
    body = pages[page] or [Item(badge="", head=[plain("No claim or position of this topic changed since then.")])]
    return Document(title=CHANGES_TITLE.format(topic=topic.title), sections=[Section(title=count, blocks=body)],
                    footer=f"From the curators' change log. Store {store.version}.",
                    actions=[summary, *pager(me, page, len(pages))], route=me.at(page).encode())


def _item(c: Change, store: Store) -> Item:
    source = store.sources.get(c.source)
    head: Line = [bold(f"{ACTION_WORD[c.action]} {c.kind}"), plain(f" · {clip(source.title if source else c.source, 60)}")]
    note: Line = [plain(f"{c.kind} {c.id}")]
    if c.fields:
        note.append(plain(" · " + ", ".join(c.fields)))
    return Item(badge=CHANGE_BADGE[c.action], head=head, body=[[plain(clip(c.text, 200))]], note=note)
