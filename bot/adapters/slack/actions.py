"""Clicks on a view's buttons and select in Slack: ack at once, then answer through the action's response_url.

A click on an ephemeral view replaces it in place (`replace_original`); a click on a message in the
channel (a digest, a shared view) answers the clicker alone. Everything a click needs is in the action's
`value` (a route), so any worker, or a restarted one, answers it from the store it serves.
"""
from __future__ import annotations

import re
from typing import Any

from bot.adapters.slack.blocks import GO_ACTION, PICK_ACTION, SlackBlock

GO_PATTERN = re.compile("^" + GO_ACTION.replace("{n}", r"\d+") + "$")
SHARE_ACTION = "bb_share"
SHARE_BUTTON = "Post to channel"


def share_button(route: str) -> SlackBlock:
    """The actions block that posts the view on screen to the channel."""
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": SHARE_ACTION, "value": route,
        "text": {"type": "plain_text", "text": SHARE_BUTTON, "emoji": True},
    }]}


def clicked_route(action: dict[str, Any]) -> str:
    """The route a button or select carries (an empty string when Slack sent none)."""
    if action.get("action_id") == PICK_ACTION:
        return str((action.get("selected_option") or {}).get("value", ""))
    return str(action.get("value", ""))


def on_ephemeral(body: dict[str, Any]) -> bool:
    """Whether the click came from a message only the clicker sees (then it is replaced in place)."""
    return bool((body.get("container") or {}).get("is_ephemeral"))


__all__ = ["GO_PATTERN", "PICK_ACTION", "SHARE_ACTION", "share_button", "clicked_route", "on_ephemeral"]
