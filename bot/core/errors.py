"""One family of errors; a UserError's text is a finished sentence fit to show a user."""
from __future__ import annotations


class BriefbotError(Exception):
    """Base of every error briefbot raises on purpose."""


class UserError(BriefbotError):
    """Something the user asked for cannot be done; str() is shown to them as is."""


class BadArgument(UserError):
    """A command argument is empty, oversized or malformed."""


class UnknownTopic(UserError):
    """No topic matches what the user typed."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        shown = query if len(query) <= 40 else query[:40] + "…"
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No topic called “{shown}”.{hint}")


class DeliveryError(BriefbotError):
    """A platform refused or failed a post after every retry."""
