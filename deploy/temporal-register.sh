#!/bin/sh
# Creates the namespace and the search attributes NewsletterWorkflow upserts
# (workflows/searchattr.go): the starter sets them when it starts a run, and
# operators list editions by stage with them in the Web UI.
# Safe to run again: what exists is left alone. The temporal CLI reads
# TEMPORAL_ADDRESS (and TEMPORAL_API_KEY / TLS variables for other clusters).
set -eu

ns=${TEMPORAL_NAMESPACE:-default}
retention=${TEMPORAL_NAMESPACE_RETENTION:-30d}

# retry TRIES CMD... runs CMD until it succeeds, 2s apart: a new namespace
# takes a few seconds to reach every frontend's cache.
retry() {
  tries=$1
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$tries" ]; then
      echo "gave up after $tries attempts: $*" >&2
      return 1
    fi
    n=$((n + 1))
    sleep 2
  done
}

echo "waiting for Temporal at ${TEMPORAL_ADDRESS:-localhost:7233}"
retry 90 temporal operator cluster health >/dev/null

if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "namespace $ns exists"
else
  echo "creating namespace $ns (retention $retention)"
  retry 5 temporal operator namespace create --namespace "$ns" --retention "$retention"
fi

for attr in NewsletterStatus NewsletterEdition; do
  if temporal operator search-attribute list --namespace "$ns" 2>/dev/null | grep -qw "$attr"; then
    echo "search attribute $attr exists"
  else
    echo "creating search attribute $attr (Keyword)"
    retry 15 temporal operator search-attribute create --namespace "$ns" --name "$attr" --type Keyword
  fi
done
