#!/bin/sh
# Creates Temporal's two PostgreSQL databases, or upgrades their schema to this image's version.
# Safe at every start: `create-database` accepts an existing database, `setup-schema -v 0.0` skips a
# versioned one, and `update-schema` applies only newer versions. Runs in temporalio/admin-tools.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"

schema_root=/etc/temporal/schema/postgresql/v12
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"; }

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="$schema_root/${pair#*:}/versioned"
  echo "schema: $db"
  sql --db "$db" create-database
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
done
echo 'schema: done'
