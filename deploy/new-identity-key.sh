#!/usr/bin/env bash
# Makes an Ed25519 key for signing identities: the API signs every input that carries an identity
# (start, decision, cancel) with the private key, and workers verify with the public keys
# (docs/deployment.md, "Identity keys").
#
#   deploy/new-identity-key.sh [--dir DIR] [key-id]
#
# In DIR (default deploy/identity, which git and the image build ignore):
#   signing.key   `<keyId>:<base64 of the 32-byte private seed>`, 0600: for the API only.
#                 Written only when absent. When it exists (a rotation), the new key goes to
#                 pending-signing.key instead, to swap in once every worker knows the public key.
#   verify.keys   `<keyId>:<base64 of the 32-byte public key>`, one line per key: for workers.
#                 The new line is appended; older lines stay, to verify what they signed.
# Prints the public line on stdout. key-id defaults to id-<UTC date and time>. Needs OpenSSL 1.1.1+.
set -euo pipefail

die() {
  echo "new-identity-key: $*" >&2
  exit 1
}
usage() { echo "usage: $0 [--dir DIR] [key-id]"; }

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/identity"
key_id=''
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dir)
      [ "$#" -ge 2 ] || die '--dir needs a folder'
      dir="$2"
      shift 2
      ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *)
      [ -z "$key_id" ] || { usage >&2; exit 2; }
      key_id="$1"
      shift
      ;;
  esac
done
key_id="${key_id:-id-$(date -u +%Y%m%d-%H%M%S)}"
# The id goes before a colon on a line of its own, and into signatures on record: keep it plain.
if ! [[ "$key_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]]; then
  echo "new-identity-key: key id '$key_id': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit" >&2
  exit 2
fi
command -v openssl >/dev/null 2>&1 || die 'needs openssl on the PATH'

signing="$dir/signing.key"
pending="$dir/pending-signing.key"
verify="$dir/verify.keys"
# Checked before anything is written, so a refusal changes nothing.
if [ -f "$verify" ] && cut -d: -f1 "$verify" | grep -Fxq -- "$key_id"; then
  die "key id $key_id is already in $verify: pick a new one (ids identify keys forever, in the audit trail too)"
fi
if [ -e "$signing" ] && [ -e "$pending" ]; then
  die "a rotation is pending ($pending): finish it first (docs/deployment.md, \"Identity keys\")"
fi

umask 077
mkdir -p "$dir"
stage="$(mktemp -d "$dir/.staging.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# hex_prefix <file> <bytes>: the file's first bytes, in hex.
hex_prefix() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }

# OpenSSL has no raw output for Ed25519 keys, but their DER encodings are fixed: the PKCS#8 private
# key is a 16-byte header and the 32-byte seed, the SubjectPublicKeyInfo a 12-byte header and the
# 32-byte public key (RFC 8410). The headers are checked, so a different encoding fails here.
if ! openssl genpkey -algorithm ed25519 -outform DER -out "$stage/private.der" 2>"$stage/stderr"; then
  cat "$stage/stderr" >&2
  die 'openssl cannot make Ed25519 keys: it needs OpenSSL 1.1.1 or newer (LibreSSL will not do)'
fi
openssl pkey -inform DER -in "$stage/private.der" -pubout -outform DER -out "$stage/public.der"
[ "$(wc -c <"$stage/private.der")" -eq 48 ] && [ "$(hex_prefix "$stage/private.der" 16)" = 302e020100300506032b657004220420 ] ||
  die 'unexpected PKCS#8 encoding of the Ed25519 private key'
[ "$(wc -c <"$stage/public.der")" -eq 44 ] && [ "$(hex_prefix "$stage/public.der" 12)" = 302a300506032b6570032100 ] ||
  die 'unexpected SubjectPublicKeyInfo encoding of the Ed25519 public key'
seed="$(tail -c 32 "$stage/private.der" | openssl base64 -A)"
public_line="$key_id:$(tail -c 32 "$stage/public.der" | openssl base64 -A)"

# The private line: 0600, moved into place whole.
private_target="$signing"
[ -e "$signing" ] && private_target="$pending"
printf '%s:%s\n' "$key_id" "$seed" >"$stage/private.line"
chmod 600 "$stage/private.line"
mv "$stage/private.line" "$private_target"

# The public line, appended: public keys are not secret, and workers only read this file.
if [ -e "$verify" ]; then
  # A file edited by hand may lack its last newline; the new key must start a line of its own.
  [ -z "$(tail -c 1 "$verify")" ] || printf '\n' >>"$verify"
else
  : >"$verify"
  chmod 644 "$verify"
fi
printf '%s\n' "$public_line" >>"$verify"

echo "new-identity-key: wrote $private_target (private, for the API) and appended to $verify (public, for workers)" >&2
if [ "$private_target" = "$pending" ]; then
  cat >&2 <<EOF
new-identity-key: to rotate, first restart every worker, so that all of them know the new public key:
    docker compose up -d --force-recreate airlock-worker
  then make it the API's signing key and restart the API:
    mv $pending $signing && docker compose up -d --force-recreate airlock-api
  Keep the old lines in $verify: they verify what the old keys signed.
EOF
fi
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" != 1000 ]; then
  echo "new-identity-key: note: the API reads signing.key as uid 1000; with Docker Engine on Linux: sudo chown 1000 $signing" >&2
fi
echo "$public_line"
