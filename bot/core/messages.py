"""Every user-facing sentence the core writes, in one place."""
from __future__ import annotations

HELP = (
    "/brief <topic> gives each source's position on the topic, the key claims with who made them, "
    "and the claims flagged as unsupported, with the reasons. Topics accept English or French names "
    "(china, chine, pékin). Add `public` to post the brief to the channel instead of only to you. "
    "/brief with no topic lists the topics. Topic names are at most {limit} characters."
)


def too_long(length: int, limit: int) -> str:
    """An oversized command argument."""
    return f"That request is {length} characters long; the limit is {limit}."


# Admin commands (bot/admin.py).

ADMIN_HELP = (
    "Admin commands: `status` shows the store version, counts, the last reload and its errors, the "
    "next digests and the last deliveries; `reload` reloads briefs/ and config/ now; `digest` sends every "
    "digest now (`digest <id>` sends one, by its id in config/digests.yaml)."
)

ADMIN_DISABLED = "Admin commands are not enabled in this bot."


def admin_failed(ref: str) -> str:
    """An admin command crashed on our side."""
    return f"The admin command failed on our side (reference {ref}); the bot's log has the details."



def admin_refused(action: str) -> str:
    """A non-admin tried an admin command."""
    return (
        f"Sorry, “{action}” is for briefbot admins only. An admin is someone listed in config/admins.yaml "
        "(or, on Discord, a member with Manage Server)."
    )


def admin_unknown(word: str) -> str:
    """An admin typed a sub-command that does not exist."""
    shown = word if len(word) <= 40 else word[:40] + "…"
    return f"There is no admin command “{shown}”. {ADMIN_HELP}"


def store_counts(version: str, topics: int, sources: int, claims: int, flagged: int) -> str:
    """The line that says which store is in service."""
    return f"Serving store {version}: {topics} topics, {sources} sources, {claims} claims ({flagged} flagged)."


def reload_refused(target: str, errors: int, version: str) -> str:
    """A reload found errors and kept the last good version."""
    return (
        f"The {target} has {errors} error(s) and was not loaded; still serving {version}. "
        "Fix the lines below (or run `briefbot validate`) and save again."
    )


def more_problems(hidden: int) -> str:
    """The end of a cut-short list of problems."""
    return f"…and {hidden} more; `briefbot validate` lists them all."


NO_DIGESTS_SCHEDULED = "No digests are scheduled."
NO_DELIVERIES = "No digest has been delivered yet."
NO_RELOAD_YET = "No reload since the bot started."
DIGESTS_UNAVAILABLE = "Digests are not set up in this bot."
NOTHING_TO_SEND = "No digest was sent: config/digests.yaml lists no digest with a channel to send to."
