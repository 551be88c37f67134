#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from their Go module, for `npm run cluster`
# (idempotent): skipped when .tools/temporal-server/bin holds both binaries and the stamp file
# records the pinned version. No Docker, no release download: `go install` of the pinned module.
#   .tools/temporal-server/bin/server               the server (frontend, history, matching, worker)
#   .tools/temporal-server/bin/temporal-sql-tool    Temporal's SQL tool (cmd/tools/sql, built as `sql`)
#   .tools/temporal-server/version                  the stamp: the module version they were built from
# The server's go.mod needs a newer Go than many machines have: GOTOOLCHAIN=go1.27.3
# makes `go` fetch that toolchain itself. The module source (with the schema files under
# schema/postgresql/v12) stays in the Go module cache; scripts/lib/cluster-temporal.ts finds it there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Pinned here and in scripts/lib/cluster-temporal.ts (TEMPORAL_SERVER_VERSION, TEMPORAL_GO_TOOLCHAIN).
version=v1.32.2
export GOTOOLCHAIN=go1.27.3
dir="$root/.tools/temporal-server"
bin="$dir/bin"
stamp="$dir/version"
log() { printf '[temporal-server] %s\n' "$*" >&2; }

if [ -x "$bin/server" ] && [ -x "$bin/temporal-sql-tool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "no \`go\` on PATH: install Go (any recent version; GOTOOLCHAIN=$GOTOOLCHAIN fetches the one the server needs)"
  exit 1
fi

mkdir -p "$bin"
log "building go.temporal.io/server $version with $GOTOOLCHAIN (several minutes the first time)"
started=$(date +%s)
GOBIN="$bin" go install "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version"
# `go install` names the tool after its package folder; the name Temporal's docs use is clearer.
mv -f "$bin/sql" "$bin/temporal-sql-tool"
printf '%s\n' "$version" > "$stamp"
log "built in $(($(date +%s) - started)) s: $bin/server, $bin/temporal-sql-tool"
