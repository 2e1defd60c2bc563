"""MESSAGE_COMPONENT interactions as Discord sends them when someone clicks a button or picks an option."""
from __future__ import annotations

from typing import Any

from tests.fakes.discord_api import BOT_USER, CHANNEL_ID, interaction

EPHEMERAL = 64


def message_payload(data: dict[str, Any], *, message_id: str, ephemeral: bool = True) -> dict[str, Any]:
    """The message an interaction callback created (embeds and components), as Discord shows it later."""
    return {"id": message_id, "channel_id": CHANNEL_ID, "author": BOT_USER, "content": data.get("content") or "",
            "timestamp": "2025-01-01T00:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": data.get("embeds") or [], "pinned": False, "type": 20,
            "flags": EPHEMERAL if ephemeral else 0, "components": data.get("components") or []}


def components_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons and selects of a message, in order."""
    return [c for row in message.get("components", []) for c in row["components"]]


def click(message: dict[str, Any], component: dict[str, Any], option: int = 0) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for a click on `component` of `message` (the option-th value of a select)."""
    payload = interaction(3, "", [])
    data: dict[str, Any] = {"custom_id": component["custom_id"], "component_type": component["type"]}
    if component["type"] == 3:
        data["values"] = [component["options"][option]["value"]]
    payload["data"] = data
    payload["message"] = message
    return payload
