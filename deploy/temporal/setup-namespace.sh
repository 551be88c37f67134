#!/bin/sh
# Creates Airlock's namespace and registers its custom search attributes, given as arguments
# `Name=Type` (docker-compose.yml lists them; workflows/search-attributes.ts is the source).
# Safe at every start: what exists is left alone. Runs in temporalio/admin-tools, whose
# `temporal` CLI reads TEMPORAL_ADDRESS and the TEMPORAL_TLS_* client settings.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}" "${RETENTION:?}"

# Retries a command for up to two minutes: the frontend answers before it is fully ready, and a
# new namespace takes a few seconds to reach every service.
retry() {
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then echo "setup: gave up on: $*" >&2; return 1; fi
    sleep 2
  done
}

# With mTLS (docker-compose.yml), an unreadable certificate or key would show only as failed
# handshakes, retried for two minutes: name the file up front instead.
for file in "${TEMPORAL_TLS_CLIENT_CERT_PATH:-}" "${TEMPORAL_TLS_CLIENT_KEY_PATH:-}" "${TEMPORAL_TLS_SERVER_CA_CERT_PATH:-}"; do
  if [ -n "$file" ] && [ ! -r "$file" ]; then
    echo "setup: cannot read $file as uid $(id -u): see docs/deployment.md, \"Trust boundary and Temporal access\"" >&2
    exit 1
  fi
done

retry temporal operator cluster health >/dev/null
if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "setup: namespace $NAMESPACE exists"
else
  retry temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
fi

for pair in "$@"; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$name"; then
    echo "setup: search attribute $name exists"
  else
    retry temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo 'setup: done'
