"""block_actions requests as Slack posts them when someone clicks a button or picks from a select."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every interactive element of a message's blocks, in order."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def click_body(element: dict[str, Any], response_url: str, *, ephemeral: bool = True, option: int = 0) -> str:
    """The form body of a click on `element` (a button, or the `option`-th entry of a static select)."""
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": "b1", "type": element["type"],
                              "action_ts": "1548426417.840180"}
    if element["type"] == "static_select":
        chosen = element["options"][option]
        action |= {"selected_option": chosen, "placeholder": element["placeholder"]}
    else:
        action |= {"value": element["value"], "text": element["text"]}
    payload = {
        "type": "block_actions",
        "user": {"id": "U2147483697", "username": "steve", "name": "steve", "team_id": "T0001"},
        "api_app_id": "A123456", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "C2147483705",
                      "is_ephemeral": ephemeral},
        "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
        "team": {"id": "T0001", "domain": "example"}, "channel": {"id": "C2147483705", "name": "test"},
        "response_url": response_url, "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})
