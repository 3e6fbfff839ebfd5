#!/bin/sh
# Runs once, when the postgresql volume is empty: creates Temporal's two
# databases (owned by the superuser the server connects as) and one database
# per reference service, each owned by its own role so the CRM and the
# Platform can run their migrations and touch nothing else.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v crm_password="$CRM_DB_PASSWORD" \
  -v platform_password="$PLATFORM_DB_PASSWORD" <<'SQL'
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE ROLE crm LOGIN PASSWORD :'crm_password';
CREATE DATABASE crm OWNER crm;
CREATE ROLE platform LOGIN PASSWORD :'platform_password';
CREATE DATABASE platform OWNER platform;
SQL
