"""Requests as Slack sends them to an app: form bodies and v0 signatures."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's request signature: v0= HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The headers of a correctly signed request (for another secret or time when asked)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, ts, secret),
    }


def slash_command_body(text: str, response_url: str, *, command: str = "/brief", user_id: str = "U2147483697") -> str:
    """A slash command's form body, fields in the order Slack sends them."""
    return urlencode({
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "team_id": "T0001",
        "team_domain": "example",
        "enterprise_id": "E0001",
        "enterprise_name": "Globular Construct Inc",
        "channel_id": "C2147483705",
        "channel_name": "test",
        "user_id": user_id,
        "user_name": "Steve",
        "command": command,
        "text": text,
        "api_app_id": "A123456",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    })


def button_click_body(action_id: str, value: str, response_url: str) -> str:
    """A block_actions interaction's form body (`payload=` JSON), as Slack posts it for a button click."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U2147483697", "username": "steve", "name": "steve", "team_id": "T0001"},
        "api_app_id": "A123456",
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "C2147483705",
                      "is_ephemeral": True},
        "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
        "team": {"id": "T0001", "domain": "example"},
        "channel": {"id": "C2147483705", "name": "test"},
        "response_url": response_url,
        "actions": [{
            "action_id": action_id, "block_id": "b1", "type": "button", "value": value,
            "text": {"type": "plain_text", "text": "Post to channel", "emoji": True},
            "action_ts": "1548426417.840180",
        }],
    }
    return urlencode({"payload": json.dumps(payload)})
