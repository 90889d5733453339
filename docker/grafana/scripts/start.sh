#!/bin/sh
# Grafana of the observability profile: refuses to start without an admin password (an empty
# secret would leave Grafana's published default), then runs the image's own entrypoint.
set -eu
if [ ! -s /run/secrets/grafana_admin_password ]; then
  echo "Set GRAFANA_ADMIN_PASSWORD in .env (docker/compose.env.example) before starting the observability profile" >&2
  exit 1
fi
exec /run.sh "$@"
