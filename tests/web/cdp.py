"""A headless Debian chromium driven over the DevTools protocol (a websocket, through aiohttp).

Why not a driver library: Playwright and Selenium bring (or download) their own browser builds and
drivers; the test must exercise the distribution's chromium that `scripts/install-chromium.sh`
installs, and the few commands it needs (navigate, evaluate, screenshot, console events) are a
page of code over the websocket client we already depend on.
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]
START_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 20.0


def find_chromium() -> str | None:
    """Debian's chromium on PATH, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab, attached with a flat session: commands, events, and what the console said."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._waiters: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
        self.session: str | None = None
        self.console_errors: list[str] = []
        self.documents: list[tuple[str, int]] = []  # (url, HTTP status) of every page loaded
        self._reader = asyncio.create_task(self._read())

    async def send(self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False) -> dict[str, Any]:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if self.session and not browser:
            msg["sessionId"] = self.session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        await self._ws.send_str(json.dumps(msg))
        reply = await asyncio.wait_for(future, COMMAND_TIMEOUT_S)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def expect(self, event: str) -> asyncio.Future[dict[str, Any]]:
        """A future for the next `event`; make it before the action that triggers it."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((event, future))
        return future

    async def goto(self, url: str) -> None:
        loaded = self.expect("Page.loadEventFired")
        await self.send("Page.navigate", {"url": url})
        await asyncio.wait_for(loaded, COMMAND_TIMEOUT_S)

    async def click(self, selector: str) -> str:
        """Click the first element `selector` matches, wait for the page it opens; its href."""
        loaded = self.expect("Page.loadEventFired")
        href = await self.eval(f"(() => {{ const a = document.querySelector({json.dumps(selector)});"
                               " if (!a) return null; a.click(); return a.getAttribute('href'); })()")
        assert href, f"nothing matches {selector}"
        await asyncio.wait_for(loaded, COMMAND_TIMEOUT_S)
        return str(href)

    async def eval(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screenshot(self, path: Path, *, full: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full:
            size = (await self.send("Page.getLayoutMetrics"))["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = (await self.send("Page.captureScreenshot", params))["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    async def _read(self) -> None:
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self._pending:
                self._pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self._event(data["method"], data.get("params", {}))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            self.console_errors.append(str(params["exceptionDetails"].get("text")))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.console_errors.append(f"{params['entry'].get('source')}: {params['entry']['text']}")
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            self.documents.append((params["response"]["url"], params["response"]["status"]))
        for waiter in [w for w in self._waiters if w[0] == method]:
            self._waiters.remove(waiter)
            if not waiter[1].done():
                waiter[1].set_result(params)

    async def close(self) -> None:
        self._reader.cancel()


@asynccontextmanager
async def chromium(binary: str, profile: Path, width: int = 1000, height: int = 1400) -> AsyncIterator[Page]:
    """A fresh headless chromium (its own profile folder) with one tab ready; killed on exit."""
    proc = await asyncio.create_subprocess_exec(
        binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    drain: asyncio.Task[None] | None = None
    try:
        ws_url = await asyncio.wait_for(_devtools_url(proc), START_TIMEOUT_S)
        drain = asyncio.create_task(_drain(proc))  # a full stderr pipe would stall the browser
        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
            page = Page(ws)
            target = await page.send("Target.createTarget", {"url": "about:blank"})
            attached = await page.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
            page.session = attached["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                await page.send(f"{domain}.enable")
            try:
                yield page
            finally:
                await page.close()
    finally:
        if proc.returncode is None:
            proc.kill()
        await asyncio.wait_for(proc.wait(), 10)
        if drain is not None:
            await drain  # ends at the closed pipe


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stderr is not None
    while await proc.stderr.read(65536):
        pass


async def _devtools_url(proc: asyncio.subprocess.Process) -> str:
    assert proc.stderr is not None
    seen = []
    while line := (await proc.stderr.readline()).decode(errors="replace"):
        seen.append(line)
        if found := re.search(r"DevTools listening on (ws://\S+)", line):
            return found.group(1)
    raise RuntimeError("chromium exited before opening DevTools:\n" + "".join(seen[-20:]))
