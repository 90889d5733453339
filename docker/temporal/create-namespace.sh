#!/bin/sh
# One-shot job in temporalio/admin-tools, after the server is healthy: CHIS Flow's namespace
# exists, with the retention after which closed workflow histories (which hold NHS numbers)
# are deleted. An existing namespace is left as it is.
set -eu
namespace="${CHIS_TEMPORAL_NAMESPACE:?}"
attempt=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  attempt=$((attempt + 1))
  [ "$attempt" -lt 30 ] || { echo "Temporal at $TEMPORAL_ADDRESS did not answer" >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$namespace" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$namespace" --retention "${TEMPORAL_RETENTION:?}"
echo "Temporal namespace $namespace is ready"
