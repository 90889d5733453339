#!/bin/sh
# One-shot job in temporalio/admin-tools: creates the Temporal server's two databases (as the
# temporal role, which may create databases) and brings their schemas to the version this
# admin-tools image carries. Each step is idempotent, so the job runs at every `compose up`
# and upgrades the schema when the image tags are raised together.
set -eu
export SQL_PASSWORD="$(cat /run/secrets/temporal_db_password)"
schema_dir=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  versioned="$schema_dir/$([ "$db" = temporal ] && echo temporal || echo visibility)/versioned"
  temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal --db "$db" create
  temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u temporal --db "$db" update-schema -d "$versioned"
done
echo 'Temporal schema is up to date'
