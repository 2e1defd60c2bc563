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
