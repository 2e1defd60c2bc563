"""Scheduled digests: schedule, delivery ledger, delivery with retries, pacing, the runner."""
