#!/bin/sh
# Makes an API key for one principal and prints it once, with the principals.yaml entry that holds
# its sha256 (the key itself is stored nowhere). Usage: deploy/new-principal.sh <id> <role>[,<role>]
# Roles: requester, reviewer, admin, auditor, operator (docs/api.md). Needs openssl.
set -eu
if [ "$#" -ne 2 ]; then
  echo "usage: $0 <id> <role>[,<role>...]" >&2
  exit 2
fi
id="$1"
roles="$(printf '%s' "$2" | sed 's/,/, /g')"

# Same shape as config/principals.ts generateApiKey: alk_ + 32 random bytes, base64url, unpadded.
key="alk_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"
hash="$(printf '%s' "$key" | openssl dgst -sha256 -r | cut -d' ' -f1)"

echo "# API key for $id (hand it over now: it is not stored anywhere):" >&2
echo "$key" >&2
echo "# Append to deploy/principals.yaml under principals:" >&2
# Quoted: an all-digit hash would otherwise be read as a YAML number.
printf "  - id: %s\n    roles: [%s]\n    keySha256: '%s'\n" "$id" "$roles" "$hash"
