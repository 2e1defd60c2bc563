"""A dropped platform connection comes back by itself: Discord resumes (with backoff in an outage), Slack reconnects."""
from __future__ import annotations

import time

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.slack.adapter import SlackAdapter
from bot.core.briefer import Briefer
from tests.fakes.discord_api import GUILD_ID, FakeDiscordAPI, interaction, option
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import slash_command_body


async def test_discord_resumes_after_a_drop_and_an_outage(fixture_briefer: Briefer) -> None:
    fake = await FakeDiscordAPI().start()
    adapter = DiscordAdapter(fixture_briefer, "fake-token.DO-NOT-LOG", guild_id=int(GUILD_ID), api_url=fake.api_url,
                             gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
    await adapter.start()
    try:
        assert (fake.identifies, fake.resumes) == (1, 0)
        fake.refuse_connections = 1  # the first reconnect meets an outage: discord.py backs off, then retries
        dropped = time.monotonic()
        await fake.disconnect(4000)  # "unknown error": a close Discord expects clients to resume after
        await fake.wait_until(lambda: fake.resumes == 1, timeout=8)
        back_after = time.monotonic() - dropped
        command = interaction(2, "brief", [option("topic", "china")])
        await fake.dispatch("INTERACTION_CREATE", command)
        await fake.wait_until(lambda: bool(fake.interactions[command["id"]].callbacks))
        assert fake.identifies == 1  # the same session went on: no new IDENTIFY
        assert fake.interactions[command["id"]].callbacks[0]["data"]["embeds"]
        print(f"discord back {back_after:.2f} s after the drop (one refused handshake)")
    finally:
        await adapter.close()
        await fake.stop()


async def test_slack_socket_mode_reconnects_when_slack_closes_the_socket(fixture_briefer: Briefer) -> None:
    fake = await FakeSlackAPI().start()
    adapter = SlackAdapter(fixture_briefer, bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket",
                           api_url=fake.api_url)
    await adapter.start()
    try:
        assert fake.sockets_opened == 1
        await fake.drop_socket()
        await fake.wait_for(lambda: fake.sockets_opened == 2, timeout=8)
        assert fake.methods().count("apps.connections.open") == 2  # a fresh URL for the new connection
        payload = dict(part.split("=", 1) for part in slash_command_body("china", "x").split("&"))
        payload.update(text="china", command="/brief", response_url=fake.response_url("T1/9/again"))
        fake.send_envelope({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
                            "payload": payload})
        await fake.wait_for(lambda: bool(fake.replies and fake.acks), timeout=5)
        assert [a["envelope_id"] for a in fake.acks] == ["env-2"]
    finally:
        await adapter.close()
        await fake.stop()
