"""The composition root: one process with the store, digests, reloader, admin and health wired together."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.app import build, start, stop
from bot.runtime.settings import Settings
from tests.polling import wait_for
from tests.conftest import BRIEFS, ROOT


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(BRIEFS, tmp_path / "briefs")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path


def settings(tree: Path, **extra: object) -> Settings:
    return Settings(briefs_dir=tree / "briefs", config_dir=tree / "config", state_dir=tree / "state",
                    console=True, **extra)  # type: ignore[arg-type]


async def test_edits_reload_and_bad_ones_reach_the_admin_channel(tree: Path, capsys) -> None:
    app = build(settings(tree), env={})
    await start(app)
    try:
        before = app.briefer.store.version
        claim_file = tree / "briefs" / "sources" / "linkedin-oped-us-russia-alliance.yaml"
        original = claim_file.read_text()
        claim_file.write_text(original.replace("evidence: not-checkable", "evidence: maybe", 1))
        await wait_for(lambda: app.reloader.last_store is not None and not app.reloader.last_store.ok)
        assert app.briefer.store.version == before  # the last good store keeps serving
        out = capsys.readouterr().out
        assert "#admins" in out and "An edit was refused" in out
        assert "linkedin-oped-us-russia-alliance.yaml" in out and "evidence" in out
        claim_file.write_text(original)
        await wait_for(lambda: app.reloader.last_store.ok)
        samples = app.metrics.render().decode()
        assert 'briefbot_reloads_total{result="error"} 1.0' in samples
    finally:
        await stop(app)


async def test_admin_status_and_refusal_through_the_app(tree: Path) -> None:
    app = build(settings(tree), env={})
    assert app.admin is not None
    refused = await app.admin.handle("slack", "U-not-admin", "status")
    assert refused.tone == "error"
    status = await app.admin.handle("console", "local-admin", "status")
    text = str(status.model_dump())
    assert app.briefer.store.version in text and "morning" in text


async def test_health_endpoints_on_port(tree: Path, unused_tcp_port: int) -> None:
    app = build(settings(tree, port=unused_tcp_port, host="127.0.0.1"), env={})
    await start(app)
    try:
        async with ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/readyz") as r:
                body = await r.json()
                assert r.status == 200 and body["ready"] and body["checks"]["database"]["detail"] == "sqlite: writable"
            app.briefer.answer("chine", platform="console")
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics") as r:
                text = await r.text()
                assert 'briefbot_commands_total{outcome="brief",platform="console",topic="china"} 1.0' in text
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as r:
                assert r.status == 200
    finally:
        await stop(app)


async def test_a_hostile_edit_is_counted_told_to_admins_and_shown_degraded_on_readyz(
        tree: Path, unused_tcp_port: int, capsys) -> None:
    app = build(settings(tree, port=unused_tcp_port, host="127.0.0.1"), env={})
    await start(app)
    try:
        path = tree / "briefs" / "sources" / "linkedin-oped-us-russia-alliance.yaml"
        original = path.read_text()
        path.write_text(original + "loop: &r [*r]\n")
        await wait_for(lambda: app.reloader.last_store is not None and not app.reloader.last_store.ok)
        out = capsys.readouterr().out
        assert "An edit was refused" in out and "The edit has 1 error(s) and was not loaded" in out
        assert "The new the edit" not in out
        async with ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/readyz") as r:
                body = await r.json()
            assert r.status == 200 and body["degraded"] == ["store"]
            assert body["checks"]["store"]["detail"].startswith("degraded: the last reload of the store (1 error(s))")
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/metrics") as r:
                assert 'briefbot_reloads_total{result="error"} 1.0' in await r.text()
            path.write_text(original)
            await wait_for(lambda: app.reloader.last_store.ok)
            async with http.get(f"http://127.0.0.1:{unused_tcp_port}/readyz") as r:
                assert (await r.json())["degraded"] == []
    finally:
        await stop(app)
