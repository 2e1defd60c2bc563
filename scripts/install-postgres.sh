#!/usr/bin/env bash
# Make PostgreSQL server binaries (initdb, pg_ctl) available for the test suite; idempotent.
# The tests start their own throwaway cluster on 127.0.0.1; nothing is started here.
set -euo pipefail

have_initdb() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_initdb; then
  echo "PostgreSQL binaries found."
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends postgresql
have_initdb && echo "PostgreSQL installed."
