#!/usr/bin/env bash
# Make Debian's chromium available for the browser test of the web pages; idempotent.
# Nothing is started here: the test runs its own headless browser with a throwaway profile.
set -euo pipefail

find_chromium() {
  command -v chromium || command -v chromium-browser || true
}

if [ -n "$(find_chromium)" ]; then
  echo "chromium found: $(find_chromium)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# Fonts so the screenshot shows text and the labels' emoji; chromium pulls in the rest.
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-color-emoji
if [ -z "$(find_chromium)" ]; then
  echo "chromium did not install" >&2
  exit 1
fi
echo "chromium installed: $(find_chromium)"
