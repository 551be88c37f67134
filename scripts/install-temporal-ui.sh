#!/usr/bin/env bash
# Builds the Temporal UI server from its Go module, for `npm run cluster` (idempotent): skipped when
# .tools/temporal-ui/bin holds the binary and the stamp file records the pinned version. No Docker,
# no release download, no Node build: the module ships the built web app (ui/assets/local, embedded
# with go:embed), so `go install` of the pinned module gives a complete UI in one binary.
#   .tools/temporal-ui/bin/temporal-ui-server   the UI server (cmd/server, built as `server`)
#   .tools/temporal-ui/version                  the stamp: the module version it was built from
# v2.54.1 is the UI that Temporal CLI v1.9.1 embeds beside server v1.32.0, on the same API
# (go.temporal.io/api v1.63.5) as server v1.32.2: the pairing Temporal itself ships. Its go.mod
# needs go1.26.5; GOTOOLCHAIN=go1.27.3, the toolchain the server build already fetched, makes the
# build the same on every machine whatever Go it starts with.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pinned here and in scripts/lib/temporal-ui.ts (TEMPORAL_UI_VERSION).
version=v2.54.1
export GOTOOLCHAIN=go1.27.3
dir="$root/.tools/temporal-ui"
bin="$dir/bin"
stamp="$dir/version"
log() { printf '[temporal-ui] %s\n' "$*" >&2; }

if [ -x "$bin/temporal-ui-server" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "no \`go\` on PATH: install Go (any recent version; GOTOOLCHAIN=$GOTOOLCHAIN fetches the one the build uses)"
  exit 1
fi

mkdir -p "$bin"
log "building github.com/temporalio/ui-server/v2 $version with $GOTOOLCHAIN (a minute or two the first time)"
started=$(date +%s)
GOBIN="$bin" go install "github.com/temporalio/ui-server/v2/cmd/server@$version"
# `go install` names the binary after its package folder; beside the Temporal server's own `server`, say which.
mv -f "$bin/server" "$bin/temporal-ui-server"
printf '%s\n' "$version" > "$stamp"
log "built in $(($(date +%s) - started)) s: $bin/temporal-ui-server"
