#!/usr/bin/env bash
# Makes the private CA and the certificates for mutual TLS on the Temporal frontend of
# docker-compose.yml (docs/deployment.md, "Trust boundary and Temporal access"). Run it once before
# the first `docker compose up`; compose mounts the files read-only, each service only its own.
#
#   deploy/temporal/make-certs.sh [--dir DIR] [--renew | --new-ca]
#
# Writes to DIR (default deploy/temporal/certs, which git and the image build ignore):
#   ca.pem, ca.key           the private CA. ca.key signs every certificate: no container gets it,
#                            and it may live offline between runs that issue certificates.
#   server.pem, server.key   the Temporal server: its frontend, and its services among themselves
#   <client>.pem, .key       one client certificate per component (see CLIENTS below)
# Keys are 0600, certificates 0644. Safe to run again: what exists is kept (and checked against
# the CA). --renew issues every certificate again from the same CA (new keys too); --new-ca
# replaces the CA as well. Needs OpenSSL 1.1.1 or newer.
set -euo pipefail

# The names the server certificate is valid for. `temporal` is the compose service, which every
# container dials and checks (the *_SERVER_NAME settings in docker-compose.yml); localhost and
# 127.0.0.1 are the published port, for the `temporal` CLI on the host.
readonly SERVER_NAMES='DNS:temporal,DNS:localhost,IP:127.0.0.1'
# worker, api: Airlock's two processes. ui: the Temporal Web UI. setup: the temporal-setup job that
# creates the namespace. cli: the `temporal` CLI of an operator on the host (never mounted).
readonly CLIENTS='worker api ui setup cli'
readonly CA_DAYS=3650
readonly LEAF_DAYS=825

usage() { echo "usage: $0 [--dir DIR] [--renew | --new-ca]"; }
die() {
  echo "make-certs: $*" >&2
  exit 1
}

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/certs"
renew=false
new_ca=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dir)
      [ "$#" -ge 2 ] || die '--dir needs a folder'
      dir="$2"
      shift 2
      ;;
    --renew) renew=true; shift ;;
    --new-ca) new_ca=true; renew=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
command -v openssl >/dev/null 2>&1 || die 'needs openssl on the PATH'

# Everything this script creates is private to its user until it says otherwise.
umask 077
mkdir -p "$dir"
# New files are made here first and moved into place, so a failure never leaves half a pair.
stage="$(mktemp -d "$dir/.staging.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# A config of our own, so the result does not depend on the system's openssl.cnf.
cat >"$stage/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
O = Airlock
CN = Airlock Temporal CA
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
# clientAuth too: Temporal's services present this certificate to each other, and its system
# worker presents it to the frontend, which requires a client certificate from everyone.
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $SERVER_NAMES
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# quietly <command...>: OpenSSL 3 reports routine steps on stderr; show them only when it fails.
quietly() {
  if ! "$@" 2>"$stage/stderr"; then
    cat "$stage/stderr" >&2
    die "failed: $*"
  fi
}

# ECDSA P-256 in PKCS#8 ("BEGIN PRIVATE KEY"): read by Go (server, UI, CLI), Node and the
# Rust core of the Temporal SDK alike (older tonic versions refused SEC1 "EC PRIVATE KEY" files).
new_key() { quietly openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# install_pair <name>: moves the staged pair into place with its modes (key first: a pair is complete
# once its certificate is there).
install_pair() {
  chmod 600 "$stage/$1.key"
  chmod 644 "$stage/$1.pem"
  mv -f "$stage/$1.key" "$dir/$1.key"
  mv -f "$stage/$1.pem" "$dir/$1.pem"
}

# has_pair <name>: true when both files of the pair exist, false when neither; stops on half a pair.
has_pair() {
  if [ -e "$dir/$1.pem" ] && [ -e "$dir/$1.key" ]; then return 0; fi
  if [ ! -e "$dir/$1.pem" ] && [ ! -e "$dir/$1.key" ]; then return 1; fi
  die "$dir has only one of $1.pem and $1.key: remove the other, or run with --renew"
}

make_ca() {
  new_key "$stage/ca.key"
  quietly openssl req -x509 -new -config "$stage/openssl.cnf" -extensions ca -key "$stage/ca.key" \
    -sha256 -days "$CA_DAYS" -out "$stage/ca.pem"
  install_pair ca
  echo "make-certs: new CA $dir/ca.pem"
}

# issue <name> <extensions section> <common name>
issue() {
  [ -e "$dir/ca.key" ] || die "issuing $1.pem needs $dir/ca.key: bring the CA key back from where you keep it"
  new_key "$stage/$1.key"
  quietly openssl req -new -config "$stage/openssl.cnf" -key "$stage/$1.key" -subj "/O=Airlock/CN=$3" \
    -out "$stage/$1.csr"
  quietly openssl x509 -req -in "$stage/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$LEAF_DAYS" \
    -extfile "$stage/openssl.cnf" -extensions "$2" -out "$stage/$1.pem"
  install_pair "$1"
  echo "make-certs: issued $dir/$1.pem"
}

leaves="server $CLIENTS"

# The CA first: every certificate below must chain to the one in $dir. Its key may be elsewhere
# (docs/deployment.md says to keep it offline): it is needed only to issue.
if [ "$new_ca" = true ]; then
  make_ca
elif [ -e "$dir/ca.pem" ]; then
  echo "make-certs: keeping the CA in $dir"
elif [ -e "$dir/ca.key" ]; then
  die "$dir has ca.key but no ca.pem: put ca.pem back, or run with --new-ca to replace everything"
else
  for name in $leaves; do
    if [ -e "$dir/$name.pem" ]; then
      die "$dir has certificates but no CA: run with --new-ca to replace them all"
    fi
  done
  make_ca
fi

for name in $leaves; do
  if [ "$name" = server ]; then section=server cn=temporal; else section=client cn="airlock-$name"; fi
  if [ "$renew" = false ] && has_pair "$name"; then
    # Kept, but only if it still fits: a certificate from another CA would fail at the first handshake.
    openssl verify -CAfile "$dir/ca.pem" "$dir/$name.pem" >/dev/null 2>&1 ||
      die "$dir/$name.pem does not chain to $dir/ca.pem, or one of them has expired: run with --renew (--new-ca if the CA has)"
    echo "make-certs: keeping $dir/$name.pem"
    continue
  fi
  issue "$name" "$section" "$cn"
done

# Containers read the keys as the images' own users (uid 1000 for Temporal's images and Airlock's
# `node`), and Compose mounts secret files with their owner and mode from the host.
if [ "$(uname -s)" = Linux ] && [ "$(id -u)" != 1000 ]; then
  cat >&2 <<EOF
make-certs: note: the containers read their keys as uid 1000, and these belong to uid $(id -u).
  With Docker Engine on Linux, hand them over (ca.key and cli.key stay yours):
    sudo chown 1000 $dir/{server,worker,api,ui,setup}.key
EOF
fi
