"""Prometheus metrics of one process: commands, latency, digests, reloads."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    """The counters and histograms briefbot exposes on /metrics (one registry per process)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter("briefbot_commands_total", "Commands answered.",
                                ["platform", "topic", "outcome"], registry=self.registry)
        self.latency = Histogram("briefbot_command_latency_seconds", "Time to answer a command.",
                                 ["platform"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.digests = Counter("briefbot_digests_total", "Digest deliveries by result.",
                               ["platform", "result"], registry=self.registry)
        self.reloads = Counter("briefbot_reloads_total", "Store reloads by result.",
                               ["result"], registry=self.registry)

    def command(self, platform: str, topic: str, outcome: str, seconds: float) -> None:
        """Count one command and its latency; topic is an id or '-' (never raw user text)."""
        self.commands.labels(platform, topic, outcome).inc()
        self.latency.labels(platform).observe(seconds)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
