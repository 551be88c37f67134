#!/usr/bin/env bash
# Installs Debian's `chromium` package for `npm run screenshot` (idempotent: does nothing if
# /usr/bin/chromium exists). Playwright drives this system browser: its own browser downloads
# (`npx playwright install`) are not used. Needs root or passwordless sudo. `npm test` runs it (the console's browser tests).
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  log "no /usr/bin/chromium, and installing it needs root or passwordless sudo:"
  log "sudo apt-get install chromium"
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "no /usr/bin/chromium and no apt-get: install Chromium so that /usr/bin/chromium exists"
  exit 1
fi

# env, not a prefix assignment: sudo resets the environment.
install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)
log "installing Debian's chromium package"
if ! "${as_root[@]}" "${install[@]}" >&2; then
  # A fresh machine often has empty or stale package lists.
  log "apt-get install failed; running apt-get update and trying again"
  "${as_root[@]}" apt-get update >&2
  "${as_root[@]}" "${install[@]}" >&2
fi
/usr/bin/chromium --version >&2
