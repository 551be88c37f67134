#!/usr/bin/env bash
# Finds a PostgreSQL server for the audit store's tests and `npm start --postgres` (idempotent):
#   - $POSTGRES_BIN_DIR if it holds initdb, pg_ctl and postgres;
#   - else the highest version under /usr/lib/postgresql/*/bin (Debian's layout);
#   - else `pg_config --bindir`;
#   - else installs Debian's `postgresql` package with apt-get (as root, or with `sudo -n`).
# Writes .tools/postgres.env with POSTGRES_BIN_DIR for the Node scripts (scripts/lib/tools.ts).
# The package's own cluster is not used: the scripts run a private cluster on their own port.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"
log() { printf '[postgres] %s\n' "$*" >&2; }

is_server_bin_dir() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }

find_bin_dir() {
  if [ -n "${POSTGRES_BIN_DIR:-}" ]; then
    if is_server_bin_dir "$POSTGRES_BIN_DIR"; then echo "$POSTGRES_BIN_DIR"; return 0; fi
    log "POSTGRES_BIN_DIR=$POSTGRES_BIN_DIR lacks initdb, pg_ctl or postgres; looking elsewhere"
  fi
  local dir
  # sort -V so that 15 ranks above 9.6.
  while IFS= read -r dir; do
    if is_server_bin_dir "$dir"; then echo "$dir"; return 0; fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && is_server_bin_dir "$dir"; then echo "$dir"; return 0; fi
  fi
  return 1
}

install_with_apt() {
  local -a as_root
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    log "no PostgreSQL server found, and installing one needs root or passwordless sudo."
    log "Install Debian's \`postgresql\` package (sudo apt-get install postgresql), or set"
    log "AIRLOCK_TEST_POSTGRES_URL to an existing server's admin URL (postgres://user@host:port/postgres)."
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "no PostgreSQL server found and no apt-get: install PostgreSQL and set POSTGRES_BIN_DIR"
    log "to the directory holding initdb, or set AIRLOCK_TEST_POSTGRES_URL to an existing server's admin URL."
    exit 1
  fi
  # env, not a prefix assignment: sudo resets the environment.
  local -a install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql)
  log "installing Debian's postgresql package"
  if ! "${as_root[@]}" "${install[@]}" >&2; then
    # A fresh machine often has empty or stale package lists.
    log "apt-get install failed; running apt-get update and trying again"
    "${as_root[@]}" apt-get update >&2
    "${as_root[@]}" "${install[@]}" >&2
  fi
}

if ! bin_dir="$(find_bin_dir)"; then
  if [ -n "${AIRLOCK_TEST_POSTGRES_URL:-}" ]; then
    log "no local PostgreSQL server; tests use AIRLOCK_TEST_POSTGRES_URL"
    exit 0
  fi
  install_with_apt
  if ! bin_dir="$(find_bin_dir)"; then
    log "the postgresql package is installed but no directory holds initdb, pg_ctl and postgres"
    exit 1
  fi
fi

# PostgreSQL refuses to run as root; the Node scripts then run it as this user.
if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  log "running as root needs the \`postgres\` OS user (Debian's postgresql package creates it)"
  exit 1
fi

printf 'POSTGRES_BIN_DIR=%s\n' "$bin_dir" > "$tools/postgres.env"
log "server: $bin_dir ($("$bin_dir/postgres" --version))"
