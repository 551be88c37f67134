#!/usr/bin/env bash
# `npm run validate:deploy`: every Kubernetes manifest under deploy/kubernetes/ against the
# Kubernetes schemas, strictly (no unknown field, no duplicate key, no kind without a schema), for
# each Kubernetes version scripts/install-kubeconform.sh installed; then docker-compose.yml against
# the Compose Specification. Any error fails the run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-kubeconform.sh

kubeconform=.tools/kubeconform/bin/kubeconform
schemas=.tools/kubeconform/schemas
manifests=(deploy/kubernetes/*.yaml)
# A folder with no manifest would pass vacuously.
[ -f "${manifests[0]}" ] || { echo 'validate-deploy: no manifests in deploy/kubernetes/' >&2; exit 1; }

status=0
for folder in "$schemas"/v*-local-strict; do
  version="$(basename "$folder")"
  version="${version#v}"
  version="${version%-local-strict}"
  echo "Kubernetes $version:"
  # No -ignore-missing-schemas: a kind without a schema is an error, not a skip.
  "$kubeconform" -strict -summary -kubernetes-version "$version" \
    -schema-location "$root/$schemas/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "${manifests[@]}" || status=1
done

echo 'Compose:'
node scripts/validate-compose.js "${COMPOSE_SCHEMA_PATH:-.tools/compose-spec.json}" docker-compose.yml || status=1
exit "$status"
