#!/bin/sh
# Creates or upgrades Temporal's schemas in PostgreSQL. Safe to run on every
# start: setup-schema keeps a newer version, update-schema applies only the
# versions not yet applied. The databases come from postgres-init.sh.
set -eu

: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS to the PostgreSQL host}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
: "${SQL_PASSWORD:?set SQL_PASSWORD to the password of POSTGRES_USER}"
schemas=/etc/temporal/schema/postgresql/v12

sqltool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" \
    -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  kind=${pair#*:}
  echo "schema for $db ($kind)"
  sqltool --db "$db" setup-schema -v 0.0
  sqltool --db "$db" update-schema -d "$schemas/$kind/versioned"
done
