#!/usr/bin/env bash
# Make PostgreSQL server binaries (initdb, pg_ctl) available for the test suite; idempotent.
# The tests start their own throwaway cluster on 127.0.0.1; nothing is started here.
set -euo pipefail

have_initdb() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

ensure_user() {
  # The tests run the server as `postgres` when CI runs as root (initdb refuses root).
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
}

if have_initdb; then
  echo "PostgreSQL binaries found."
  ensure_user
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends postgresql
have_initdb && echo "PostgreSQL installed."
ensure_user
