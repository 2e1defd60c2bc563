"""`/briefbot-admin` end to end: the real bolt app over loopback against the fake Slack, a real Admin and Reloader."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.adapters.slack.adapter import ADMIN_COMMAND, SlackAdapter
from bot.curation.admin import Admin
from bot.core.config import load_config
from bot.core import messages
from bot.digests.runner import DigestAdmin, build_digests
from tests.conftest import ROOT
from tests.fakes.admin_world import break_china, make_admin
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackAPI, block_problems
from tests.fakes.slack_requests import (
    SIGNING_SECRET,
    signed_headers,
    slash_command_body,
)

ADMIN_ID = "U0ADMIN"
OTHER_ID = "U0OTHER"


class Served:
    """The fake Slack, the adapter serving HTTP mode, and a client to send it signed requests."""

    def __init__(self, fake: FakeSlackAPI, adapter: SlackAdapter, http: aiohttp.ClientSession) -> None:
        self.fake, self.adapter, self.http = fake, adapter, http
        self.url = f"http://127.0.0.1:{adapter.port}/slack/events"

    async def admin(self, text: str, user: str = ADMIN_ID) -> dict:
        """Send `/briefbot-admin text` as `user`; expect an empty ack; return the one reply."""
        before = len(self.fake.replies)
        body = slash_command_body(text, self.fake.response_url(f"T1/{before}/adm"), command=ADMIN_COMMAND, user_id=user)
        async with self.http.post(self.url, data=body, headers=signed_headers(body)) as resp:
            assert (resp.status, await resp.text()) == (200, "")
        await self.fake.wait_for(lambda: len(self.fake.replies) > before and not self.adapter._inflight)
        replies = [r.body for r in self.fake.replies[before:]]
        assert len(replies) == 1 and block_problems(replies[0]["blocks"]) == []
        return replies[0]


def text_of(reply: dict) -> str:
    """Every text of a reply: fallback, sections, headers and context elements."""
    out = [reply.get("text", "")]
    for block in reply["blocks"]:
        out.append((block.get("text") or {}).get("text", ""))
        out += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(out)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return make_admin(tmp_path, {"slack": {ADMIN_ID}, "discord": {OTHER_ID}})


@pytest.fixture
async def served(admin: Admin) -> AsyncIterator[Served]:
    fake = await FakeSlackAPI().start()
    adapter = SlackAdapter(admin.reloader.briefer, bot_token=BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET,
                           api_url=fake.api_url, host="127.0.0.1", port=0, admin=admin)
    await adapter.start()
    async with aiohttp.ClientSession() as http:
        yield Served(fake, adapter, http)
    await adapter.close()
    await fake.stop()


@pytest.mark.parametrize("text", ["status", "reload", "digest daily", ""])
async def test_non_admin_is_refused_politely_and_the_attempt_is_logged(
    served: Served, admin: Admin, text: str, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.curation.admin"):
        reply = await served.admin(text, user=OTHER_ID)  # an admin on Discord only
    assert reply["response_type"] == "ephemeral"
    action = text.split()[0] if text else "status"
    assert messages.admin_refused(action) in text_of(reply)
    assert f"refused admin command {action!r} from slack user {OTHER_ID}" in caplog.text
    assert admin.reloader.last_store is None  # nothing ran


async def test_admin_gets_the_status_ephemerally(served: Served, admin: Admin) -> None:
    reply = await served.admin("status")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "briefbot status"
    store = admin.reloader.briefer.store
    assert f"Serving store {store.version}" in text_of(reply)
    assert messages.NO_RELOAD_YET in text_of(reply) and messages.DIGESTS_UNAVAILABLE in text_of(reply)


async def test_reload_after_a_bad_edit_names_the_file_and_line(served: Served, admin: Admin) -> None:
    serving = admin.reloader.briefer.store
    where = break_china(admin)
    reply = await served.admin("reload")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"].startswith("⚠️ Reload refused")
    assert where in text_of(reply) and f"still serving {serving.version}" in text_of(reply)
    assert admin.reloader.briefer.store is serving
    assert where in text_of(await served.admin("status"))  # the last reload's errors stay visible


async def test_reload_after_a_good_edit_swaps_the_store(served: Served, admin: Admin) -> None:
    path = admin.reloader.briefs / "sources" / "oped.yaml"
    path.write_text(path.read_text().replace("evidence: unsupported", "evidence: disputed"))
    reply = await served.admin("reload")
    new = admin.reloader.briefer.store.version
    assert reply["blocks"][0]["text"]["text"] == "Reloaded" and f"version {new}" in text_of(reply)


async def test_digest_without_digests_set_up_says_so(served: Served) -> None:
    reply = await served.admin("digest")
    assert reply["response_type"] == "ephemeral" and messages.DIGESTS_UNAVAILABLE in text_of(reply)


async def test_digest_with_none_in_config_says_nothing_was_sent(served: Served, admin: Admin, tmp_path: Path) -> None:
    runner, _ = build_digests(load_config(tmp_path / "config"), lambda: admin.reloader.briefer.store, {},
                              url=f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    admin.digests = DigestAdmin(runner)
    assert messages.NOTHING_TO_SEND in text_of(await served.admin("digest"))
    unknown = text_of(await served.admin("digest weekly"))
    assert "weekly" in unknown and "no such digest in config/digests.yaml" in unknown
    hostile = text_of(await served.admin("digest " + "<!channel>" * 400))  # fits Slack, mentions nobody
    assert "no such digest" in hostile and "<!channel>" not in hostile
    status = text_of(await served.admin("status"))
    assert messages.NO_DIGESTS_SCHEDULED in status and messages.NO_DELIVERIES in status


async def test_help_and_unknown_words_list_the_commands(served: Served) -> None:
    escaped = messages.ADMIN_HELP.replace("<", "&lt;").replace(">", "&gt;")  # Slack markup escapes them
    assert escaped in text_of(await served.admin("help"))
    assert messages.admin_unknown("explode").replace("<", "&lt;").replace(">", "&gt;") in text_of(
        await served.admin("explode"))


async def test_without_admin_the_command_says_it_is_off(served: Served) -> None:
    served.adapter.admin = None
    reply = await served.admin("status")
    assert reply["response_type"] == "ephemeral" and messages.ADMIN_DISABLED in text_of(reply)


async def test_a_crash_in_admin_gets_a_reference_not_silence(served: Served, admin: Admin,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    admin.admins = lambda: 1 / 0  # type: ignore[assignment,return-value,misc]
    with caplog.at_level(logging.ERROR, logger="bot.adapters.slack.adapter"):
        reply = await served.admin("status")
    assert "failed on our side (reference" in text_of(reply) and "ZeroDivisionError" in caplog.text


async def test_socket_mode_serves_the_admin_command(admin: Admin) -> None:
    fake = await FakeSlackAPI().start()
    adapter = SlackAdapter(admin.reloader.briefer, bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket",
                           api_url=fake.api_url, admin=admin)
    await adapter.start()
    try:
        for n, user in enumerate((ADMIN_ID, OTHER_ID)):
            payload = dict(p.split("=", 1) for p in slash_command_body("status", "x", command=ADMIN_COMMAND).split("&"))
            payload.update(text="status", command=ADMIN_COMMAND, user_id=user,
                           response_url=fake.response_url(f"T1/{n}/socket"))
            fake.send_envelope({"envelope_id": f"env-{n}", "type": "slash_commands",
                                "accepts_response_payload": True, "payload": payload})
            await fake.wait_for(lambda n=n: len(fake.replies) > n and len(fake.acks) > n and not adapter._inflight)
    finally:
        await adapter.close()
        await fake.stop()
    assert [a["envelope_id"] for a in fake.acks] == ["env-0", "env-1"]
    first, second = (r.body for r in fake.replies)
    assert first["response_type"] == second["response_type"] == "ephemeral"
    assert f"Serving store {admin.reloader.briefer.store.version}" in text_of(first)
    assert messages.admin_refused("status") in text_of(second)


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest-http.yaml"])
def test_manifests_declare_the_admin_command(name: str) -> None:
    manifest = yaml.safe_load((ROOT / "slack" / name).read_text())
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    admin = commands[ADMIN_COMMAND]
    assert admin["should_escape"] is False and "status" in admin["usage_hint"]
    assert admin.get("url") == commands["/brief"].get("url")


def test_the_app_hands_its_admin_to_the_slack_adapter(tmp_path: Path) -> None:
    from bot.app import build
    from bot.runtime.settings import Settings
    from tests.conftest import BRIEFS

    app = build(Settings(briefs_dir=BRIEFS, config_dir=ROOT / "config", state_dir=tmp_path),  # type: ignore[call-arg]
                env={"SLACK_BOT_TOKEN": "xoxb-1-x", "SLACK_SIGNING_SECRET": "s", "PORT": "0"})
    adapter = app.adapters["slack"]
    assert isinstance(adapter, SlackAdapter) and app.admin is not None and adapter.admin is app.admin
