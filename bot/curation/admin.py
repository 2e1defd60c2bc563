"""Platform-neutral admin commands: who is an admin, and the status, reload and digest answers."""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from enum import StrEnum

from bot.core import messages
from bot.core.document import (
    Document,
    Item,
    Line,
    Note,
    Section,
    Text,
    code,
    message,
    plain,
)
from bot.core.labels import is_flagged
from bot.core.problems import Problem
from bot.core.status import DigestControl, DigestInfo
from bot.core.store import Store
from bot.curation.reload import Reloader, ReloadOutcome

log = logging.getLogger(__name__)

# platform -> the user ids of its admins, as listed in config/admins.yaml.
AdminIds = Mapping[str, Collection[str]]

MAX_PROBLEMS_SHOWN = 10


class AdminAction(StrEnum):
    """The admin sub-commands."""

    STATUS = "status"
    RELOAD = "reload"
    DIGEST = "digest"
    HELP = "help"


def is_admin(platform: str, user_id: str, admins: AdminIds, extra_permission: bool = False) -> bool:
    """Whether a user may run admin commands: listed for the platform, or holding the platform's
    admin permission (`extra_permission`: Manage Server on Discord; the adapter decides)."""
    return extra_permission or str(user_id) in {str(u) for u in admins.get(platform, ())}


def refuse(platform: str, user_id: str, action: str) -> Document:
    """The polite refusal a non-admin gets; the attempt is logged."""
    log.warning("refused admin command %r from %s user %s", action, platform, user_id)
    return message("Admins only", messages.admin_refused(action), tone="error")


def when(at: datetime | None) -> str:
    """A time as admins read it: `2025-03-01 09:00 UTC`."""
    return at.strftime("%Y-%m-%d %H:%M %Z").strip() if at else "never"


def problem_lines(problems: list[Problem]) -> list[Line]:
    """Problems as lines (file:line first), cut short after MAX_PROBLEMS_SHOWN."""
    lines: list[Line] = [[code(f"{p.file}:{p.line}"), plain(f" {p.field + ': ' if p.field else ''}{p.message}")]
                         for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append([plain(messages.more_problems(len(problems) - MAX_PROBLEMS_SHOWN))])
    return lines


def outcome_item(outcome: ReloadOutcome) -> Item:
    """One reload as a list entry: what, when, and its changes or its errors."""
    head = [plain(f"{outcome.target} reload ({outcome.trigger}) at {when(outcome.at)}, "
                  f"{outcome.seconds * 1000:.0f} ms")]
    if outcome.ok:
        body = [[plain(outcome.changes.summary())]] if outcome.changes is not None else []
        note = [plain(f"version {outcome.version}")] if outcome.target == "store" else []
        return Item(badge="✅", head=head, body=body, note=note)
    reason = messages.reload_refused(f"new {outcome.target}", len(outcome.errors), outcome.version)
    return Item(badge="❌", head=head, body=[[plain(reason)], *problem_lines(outcome.errors)])


def store_summary(store: Store) -> Line:
    """Which store is in service, with its counts."""
    flagged = sum(is_flagged(e.claim) for e in store.claims.values())
    return [plain(messages.store_counts(store.version, len(store.topics), len(store.sources),
                                        len(store.claims), flagged))]


def _digest_items(infos: list[DigestInfo], empty: str) -> list[Item] | list[Text]:
    if not infos:
        return [Text(line=[plain(empty)])]
    return [Item(badge="✅" if i.ok else "❌", head=[plain(f"{i.platform} {i.channel}: {when(i.at)}")],
                 body=[[plain(i.detail)]] if i.detail else []) for i in infos]


def status_document(
    store: Store, reloads: list[ReloadOutcome], next_digests: list[DigestInfo] | None,
    last_deliveries: list[DigestInfo] | None,
) -> Document:
    """The `status` answer: store version and counts, last reloads, next digests, last deliveries."""
    reload_blocks: list[Text | Item] = [outcome_item(o) for o in reloads] or [Text(line=[plain(messages.NO_RELOAD_YET)])]
    sections = [Section(title="Last reload", blocks=reload_blocks)]
    if next_digests is None or last_deliveries is None:
        sections.append(Section(title="Digests", blocks=[Note(line=[plain(messages.DIGESTS_UNAVAILABLE)])]))
    else:
        sections.append(Section(title="Next digests", blocks=_digest_items(next_digests, messages.NO_DIGESTS_SCHEDULED)))
        sections.append(Section(title="Last deliveries", blocks=_digest_items(last_deliveries, messages.NO_DELIVERIES)))
    return Document(title="briefbot status", summary=store_summary(store), sections=sections)


def reload_document(outcomes: list[ReloadOutcome]) -> Document:
    """The `reload` answer: each reload's outcome; an error tone when any was refused."""
    failed = any(not o.ok for o in outcomes)
    return Document(title="Reload refused" if failed else "Reloaded",
                    sections=[Section(title="Reload", blocks=[outcome_item(o) for o in outcomes])],
                    tone="error" if failed else "info")


def refused_reload_document(problems: list[Problem], target: str, serving: str) -> Document:
    """What admins are sent when an edit is refused: where each error is, and what still serves."""
    errors = [p for p in problems if p.severity == "error"]
    body = [Text(line=line) for line in problem_lines(errors)]
    return Document(title="An edit was refused", summary=[plain(messages.reload_refused(target, len(errors), serving))],
                    sections=[Section(title="Errors", blocks=body)], tone="error")


def digest_document(sent: list[DigestInfo]) -> Document:
    """The `digest` answer: the deliveries made now (or why there were none)."""
    if not sent:
        return message("No digest sent", messages.NOTHING_TO_SEND, tone="error")
    return Document(title="Digests sent", sections=[Section(title="Deliveries", blocks=_digest_items(sent, messages.NO_DELIVERIES))],
                    tone="info" if all(i.ok for i in sent) else "error")


class Admin:
    """The admin commands every platform (and the CLI) calls with the user's platform and id."""

    def __init__(self, reloader: Reloader, admins: Callable[[], AdminIds], digests: DigestControl | None = None) -> None:
        self.reloader = reloader
        self.admins = admins
        self.digests = digests

    def allowed(self, platform: str, user_id: str, extra_permission: bool = False) -> bool:
        """Whether this user may run admin commands now (reads the current config)."""
        return is_admin(platform, user_id, self.admins(), extra_permission)

    async def handle(self, platform: str, user_id: str, text: str, *, extra_permission: bool = False) -> Document:
        """Answer an admin command text (`status`, `reload`, `digest [id]`, `help`)."""
        words = text.split()
        word = words[0].casefold() if words else AdminAction.STATUS.value
        if not self.allowed(platform, user_id, extra_permission):
            return refuse(platform, user_id, word[:40])
        try:
            action = AdminAction(word)
        except ValueError:
            return message("Unknown admin command", messages.admin_unknown(word), tone="error")
        log.info("admin command %s by %s user %s", action.value, platform, user_id)
        return await self.run(action, words[1] if len(words) > 1 else None)

    async def run(self, action: AdminAction, channel: str | None = None) -> Document:
        """Run an admin command already allowed."""
        if action is AdminAction.RELOAD:
            return reload_document(await self.reloader.reload_now(trigger="admin"))
        if action is AdminAction.DIGEST:
            if self.digests is None:
                return message("No digests", messages.DIGESTS_UNAVAILABLE, tone="error")
            return digest_document(await self.digests.send_now(channel))
        if action is AdminAction.HELP:
            return message("Admin commands", messages.ADMIN_HELP)
        return self.status()

    def status(self) -> Document:
        """The status document."""
        reloads = [o for o in (self.reloader.last_store, self.reloader.last_config) if o is not None]
        nxt = self.digests.next_digests() if self.digests else None
        last = self.digests.last_deliveries() if self.digests else None
        return status_document(self.reloader.briefer.store, reloads, nxt, last)
