"""HTTP endpoints for operators: /healthz (alive), /readyz (ready to serve), /metrics (Prometheus)."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.runtime.metrics import Metrics

# Each check returns (ok, detail); /readyz is 200 only when every check is ok.
Check = Callable[[], Awaitable[tuple[bool, str]]]


def health_routes(metrics: Metrics, checks: dict[str, Check]) -> list[web.RouteDef]:
    """The three routes, to add to whatever aiohttp application serves $PORT."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        results = {}
        for name, check in checks.items():
            try:
                ok, detail = await check()
            except Exception as exc:  # a failing check means not ready, never a 500
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            results[name] = {"ok": ok, "detail": detail}
        ready = all(r["ok"] for r in results.values())
        # Degraded: still serving (so still ready), but something an operator should look at.
        degraded = sorted(name for name, r in results.items() if str(r["detail"]).startswith("degraded"))
        return web.Response(status=200 if ready else 503, content_type="application/json",
                            text=json.dumps({"ready": ready, "degraded": degraded, "checks": results}))

    async def metrics_view(_: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type": metrics.content_type})

    return [web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics_view)]
