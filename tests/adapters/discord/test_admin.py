"""`/brief-admin` end to end: real discord.py against the fake Discord on loopback, a real Admin and Reloader."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.adapter import ADMIN_ACTIONS, DiscordAdapter
from bot.curation.admin import Admin
from bot.core.config import load_config
from bot.core import messages
from bot.digests.runner import DigestAdmin, build_digests
from tests.polling import wait_for
from tests.fakes.admin_world import break_china, make_admin
from tests.fakes.discord_api import GUILD_ID, FakeDiscordAPI, interaction, option

TOKEN = "fake-bot-token.DO-NOT-LOG"
MANAGE_GUILD = 0x20
MEMBER_PERMISSIONS = 1024 | 2048 | 65536  # view channel, send messages, read history: no Manage Server


def user(uid: str, name: str) -> dict[str, Any]:
    return {"id": uid, "username": name, "discriminator": "0", "avatar": None, "global_name": name.title()}


LISTED = user("4100000000000000001", "lee")      # in config/admins.yaml, no Manage Server
MANAGER = user("4100000000000000002", "mona")    # not listed, has Manage Server
MEMBER = user("4100000000000000003", "max")      # neither


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return make_admin(tmp_path, {"discord": {LISTED["id"]}, "slack": {MEMBER["id"]}})


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordAPI]:
    api = await FakeDiscordAPI().start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(admin: Admin, fake: FakeDiscordAPI) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(admin.reloader.briefer, TOKEN, guild_id=int(GUILD_ID), api_url=fake.api_url,
                             gateway_url=fake.gateway_url, guild_ready_timeout=0.05, admin=admin)
    await adapter.start()
    yield adapter
    await adapter.close()


async def run_admin(fake: FakeDiscordAPI, action: str, who: dict[str, Any], *, permissions: int = MEMBER_PERMISSIONS,
                    digest: str | None = None, guild: str | None = GUILD_ID) -> dict[str, Any]:
    """Send `/brief-admin action:… [digest:…]`; return the message the user got (callback or first followup)."""
    options = [option("action", action)] + ([option("digest", digest)] if digest is not None else [])
    payload = interaction(2, "brief-admin", options, user=who, permissions=permissions, guild=guild)
    await fake.dispatch("INTERACTION_CREATE", payload)
    seen = fake.interactions[payload["id"]]
    await wait_for(lambda: seen.callbacks and (seen.callbacks[0]["type"] == 4 or seen.followups))
    callback = seen.callbacks[0]
    return callback["data"] if callback["type"] == 4 else {**seen.followups[0], "deferred": callback}


def is_ephemeral(sent: dict[str, Any]) -> bool:
    return bool(sent.get("flags", 0) & 64)


def text_of(sent: dict[str, Any]) -> str:
    """Every text the message carries: content, and each embed's title, description, fields and footer."""
    out = [sent.get("content") or ""]
    for embed in sent.get("embeds") or []:
        out += [embed.get("title") or "", embed.get("description") or "", (embed.get("footer") or {}).get("text", "")]
        out += [f"{f['name']}\n{f['value']}" for f in embed.get("fields") or []]
    return "\n".join(out)


async def test_the_command_is_synced_with_its_choices(bot: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    synced = {c["name"]: c for c in fake.commands[GUILD_ID]}
    assert set(synced) == {"brief", "brief-help", "brief-admin"}
    action, digest = synced["brief-admin"]["options"]
    assert (action["name"], action["type"], action["required"]) == ("action", 3, True)
    assert [c["value"] for c in action["choices"]] == list(ADMIN_ACTIONS)
    assert (digest["name"], digest["type"], digest["required"], digest["max_length"]) == ("digest", 3, False, 64)


async def test_member_without_manage_server_is_refused_and_logged(
    bot: DiscordAdapter, fake: FakeDiscordAPI, admin: Admin, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.curation.admin"):
        sent = await run_admin(fake, "reload", MEMBER)  # an admin on Slack only
    assert is_ephemeral(sent) and messages.admin_refused("reload") in text_of(sent)
    assert f"refused admin command 'reload' from discord user {MEMBER['id']}" in caplog.text
    assert admin.reloader.last_store is None  # nothing ran


async def test_listed_admin_gets_the_status(bot: DiscordAdapter, fake: FakeDiscordAPI, admin: Admin) -> None:
    sent = await run_admin(fake, "status", LISTED)
    assert is_ephemeral(sent)
    assert f"Serving store {admin.reloader.briefer.store.version}" in text_of(sent)
    assert messages.NO_RELOAD_YET in text_of(sent)


async def test_manage_server_makes_an_unlisted_member_an_admin(bot: DiscordAdapter, fake: FakeDiscordAPI,
                                                             admin: Admin) -> None:
    sent = await run_admin(fake, "status", MANAGER, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    assert is_ephemeral(sent) and f"Serving store {admin.reloader.briefer.store.version}" in text_of(sent)
    refused = await run_admin(fake, "status", MANAGER, permissions=MEMBER_PERMISSIONS)  # the role was taken away
    assert messages.admin_refused("status") in text_of(refused)


async def test_in_a_direct_message_only_the_list_counts(bot: DiscordAdapter, fake: FakeDiscordAPI,
                                                        admin: Admin) -> None:
    assert messages.admin_refused("status") in text_of(await run_admin(fake, "status", MANAGER, guild=None))
    sent = await run_admin(fake, "status", LISTED, guild=None)
    assert f"Serving store {admin.reloader.briefer.store.version}" in text_of(sent)


async def test_reload_after_a_bad_edit_names_the_file_and_line(bot: DiscordAdapter, fake: FakeDiscordAPI,
                                                              admin: Admin) -> None:
    serving = admin.reloader.briefer.store
    where = break_china(admin)
    sent = await run_admin(fake, "reload", LISTED)
    assert is_ephemeral(sent) and where in text_of(sent)
    assert f"still serving {serving.version}" in text_of(sent)
    assert admin.reloader.briefer.store is serving


async def test_digest_without_digests_set_up_says_so(bot: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    sent = await run_admin(fake, "digest", LISTED, digest="daily")
    assert is_ephemeral(sent) and messages.DIGESTS_UNAVAILABLE in text_of(sent)


async def test_digest_id_reaches_the_digests(bot: DiscordAdapter, fake: FakeDiscordAPI, admin: Admin,
                                            tmp_path: Path) -> None:
    runner, _ = build_digests(load_config(tmp_path / "config"), lambda: admin.reloader.briefer.store, {},
                              url=f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    admin.digests = DigestAdmin(runner)
    unknown = text_of(await run_admin(fake, "digest", LISTED, digest="weekly"))
    assert "weekly" in unknown and "no such digest in config/digests.yaml" in unknown
    assert messages.NOTHING_TO_SEND in text_of(await run_admin(fake, "digest", LISTED))


async def test_help_lists_the_commands(bot: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    shown = text_of(await run_admin(fake, "help", LISTED)).replace("\\`", "`")  # markdown escaped for Discord
    assert messages.ADMIN_HELP in shown


async def test_without_admin_the_command_says_it_is_off(bot: DiscordAdapter, fake: FakeDiscordAPI) -> None:
    bot.admin = None
    sent = await run_admin(fake, "status", LISTED, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    assert is_ephemeral(sent) and messages.ADMIN_DISABLED in text_of(sent)


async def test_a_slow_reload_is_deferred_ephemerally(admin: Admin, fake: FakeDiscordAPI) -> None:
    adapter = DiscordAdapter(admin.reloader.briefer, TOKEN, guild_id=int(GUILD_ID), api_url=fake.api_url,
                             gateway_url=fake.gateway_url, guild_ready_timeout=0.05, admin=admin, defer_after=0.0)
    await adapter.start()
    try:
        sent = await run_admin(fake, "reload", LISTED)
    finally:
        await adapter.close()
    assert sent["deferred"]["type"] == 5 and sent["deferred"]["data"]["flags"] & 64
    assert is_ephemeral(sent) and sent["embeds"][0]["title"].endswith("Reloaded")


async def test_a_crash_in_admin_gets_a_reference_not_silence(bot: DiscordAdapter, fake: FakeDiscordAPI, admin: Admin,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    admin.admins = lambda: 1 / 0  # type: ignore[assignment,return-value,misc]
    with caplog.at_level(logging.ERROR, logger="bot.adapters.discord.adapter"):
        sent = await run_admin(fake, "status", LISTED)
    assert is_ephemeral(sent) and "Something went wrong on our side (reference" in text_of(sent)
    assert "ZeroDivisionError" in caplog.text


def test_the_app_hands_its_admin_to_the_discord_adapter(tmp_path: Path) -> None:
    from bot.app import build
    from bot.runtime.settings import Settings
    from tests.conftest import BRIEFS, ROOT

    app = build(Settings(briefs_dir=BRIEFS, config_dir=ROOT / "config", state_dir=tmp_path),  # type: ignore[call-arg]
                env={"DISCORD_TOKEN": TOKEN})
    adapter = app.adapters["discord"]
    assert isinstance(adapter, DiscordAdapter) and app.admin is not None and adapter.admin is app.admin
