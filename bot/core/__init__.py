"""The core: claim store, briefing, digests, flags and the neutral document; no platform code."""
