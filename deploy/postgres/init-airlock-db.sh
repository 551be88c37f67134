#!/bin/sh
# Creates Airlock's audit database and a role of its own, so the worker and the API never hold
# the superuser that Temporal's schema tool uses. The postgres image runs this once, when its data
# volume is empty; to change AUDIT_DB_PASSWORD later, use ALTER ROLE (docs/deployment.md).
set -eu
: "${AUDIT_DB_PASSWORD:?AUDIT_DB_PASSWORD is required}"

# psql substitutes :'password' as a quoted literal, so any password is safe here.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v password="$AUDIT_DB_PASSWORD" <<'SQL'
CREATE ROLE airlock LOGIN PASSWORD :'password';
CREATE DATABASE airlock OWNER airlock;
SQL
