"""The running process: settings, logs, health and metrics."""
