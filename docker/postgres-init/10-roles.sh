#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume
# (docker-entrypoint-initdb.d). The superuser (POSTGRES_USER) owns chis_flow and runs CHIS Flow's
# migrations; two more roles, with passwords read from compose secrets:
# - chis_app: the application's role. It owns nothing and, once migrated, may only INSERT and
#   SELECT on audit_events; CHIS Flow grants its privileges at every migration (db/migrations/roles.ts).
# - temporal: the Temporal server's role; it creates and owns the temporal and
#   temporal_visibility databases (the admin-tools schema job), nothing of CHIS Flow's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$(cat /run/secrets/chis_app_db_password)" \
  -v temporal_password="$(cat /run/secrets/temporal_db_password)" <<'SQL'
CREATE ROLE chis_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE ROLE temporal LOGIN NOSUPERUSER CREATEDB NOCREATEROLE PASSWORD :'temporal_password';
SQL
