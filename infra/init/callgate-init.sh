#!/bin/bash
# One-shot initialisation of the Callgate stack (the compose service "init").
#
# Secrets: jwt_secret, postgres_password and redis_password (volume "secrets", read by
#   db, redis and gateway), turn_secrets (volume "turn-secrets", read by gateway and turn:
#   the relay sees nothing else). A value set in the environment (.env)
#   wins and is written through; otherwise an existing file is kept; otherwise a random
#   one is generated. Values are never printed.
# TLS certificate (volume "certs", read by web and turn):
#   fullchain.pem + privkey.pem from the import directory (CERTS_DIR on the host) when
#   both are present; otherwise the certificate already in the volume is kept; otherwise a
#   self-signed one is generated for localhost and the configured host names.
#
# Files are owned by root and the group CALLGATE_SECRETS_GID (mode 0440; the certificate
# chain 0444), so only containers started with that supplementary group can read them.
set -euo pipefail

readonly SECRETS_DIR=${CALLGATE_SECRETS_DIR:-/run/callgate-secrets}
readonly TURN_SECRETS_DIR=${CALLGATE_TURN_SECRETS_DIR:-$SECRETS_DIR}
readonly CERTS_DIR=${CALLGATE_CERTS_DIR:-/etc/callgate/certs}
readonly IMPORT_DIR=${CALLGATE_CERTS_IMPORT_DIR:-/import/certs}
readonly GID=${CALLGATE_SECRETS_GID:-10001}
readonly SELF_SIGNED_DAYS=825
readonly RENEW_BEFORE_SECONDS=$((30 * 24 * 3600))

log() { printf 'callgate-init: %s\n' "$1"; }
fail() {
  printf 'callgate-init: %s\n' "$1" >&2
  exit 64
}

umask 077
[[ $GID =~ ^[0-9]+$ ]] || fail "CALLGATE_SECRETS_GID must be a numeric group id, got '$GID'."
mkdir -p "$SECRETS_DIR" "$TURN_SECRETS_DIR" "$CERTS_DIR"
chown "0:$GID" "$SECRETS_DIR" "$TURN_SECRETS_DIR" "$CERTS_DIR"
chmod 0750 "$SECRETS_DIR" "$TURN_SECRETS_DIR" "$CERTS_DIR"

# Atomically replaces $1 with stdin, owned root:GID with mode $2.
install_file() {
  local target=$1 mode=$2 tmp
  tmp=$(mktemp "$target.XXXXXX")
  cat >"$tmp"
  chown "0:$GID" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$target"
}

random_secret() { openssl rand -hex 32; }

# resolve_secret FILE ENV_NAME DESCRIPTION VALIDATOR [DIRECTORY]
resolve_secret() {
  local file="${5:-$SECRETS_DIR}/$1" name=$2 what=$3 validate=$4 value=${!2:-}
  if [[ -n $value ]]; then
    "$validate" "$value" || fail "$name in .env is not a valid $what: $($validate --explain)"
    if [[ ! -f $file || $(<"$file") != "$value" ]]; then
      printf '%s' "$value" | install_file "$file" 0440
      log "$1: taken from $name."
    else
      log "$1: matches $name."
    fi
  elif [[ -s $file ]]; then
    "$validate" "$(<"$file")" || fail "$file holds an invalid $what: $($validate --explain) Delete it to generate a new one."
    chown "0:$GID" "$file"
    chmod 0440 "$file"
    log "$1: kept."
  else
    random_secret | tr -d '\n' | install_file "$file" 0440
    log "$1: generated."
  fi
}

valid_signing_secret() {
  [[ $1 == --explain ]] && { echo 'it must be at least 32 characters without spaces.'; return 0; }
  [[ $1 =~ ^[^[:space:]]{32,}$ ]]
}

valid_turn_secrets() {
  [[ $1 == --explain ]] && {
    echo 'it must be a comma-separated list of secrets, each at least 32 characters of A-Z a-z 0-9 . _ ~ + / = -.'
    return 0
  }
  [[ $1 =~ ^[A-Za-z0-9._~+/=-]{32,}(,[A-Za-z0-9._~+/=-]{32,})*$ ]]
}

valid_db_password() {
  [[ $1 == --explain ]] && { echo 'it must be at least 16 characters without spaces.'; return 0; }
  [[ $1 =~ ^[^[:space:]]{16,}$ ]]
}

resolve_secret jwt_secret JWT_SECRET 'JWT signing secret' valid_signing_secret
# Stacks from before the split kept turn_secrets beside the other secrets: move it, so the
# relay keeps its secret (no credential breaks) and the shared volume no longer holds it.
if [[ $TURN_SECRETS_DIR != "$SECRETS_DIR" && -s $SECRETS_DIR/turn_secrets ]]; then
  [[ -s $TURN_SECRETS_DIR/turn_secrets ]] ||
    install_file "$TURN_SECRETS_DIR/turn_secrets" 0440 <"$SECRETS_DIR/turn_secrets"
  rm -f "$SECRETS_DIR/turn_secrets"
  log 'turn_secrets: moved to its own volume.'
fi
resolve_secret turn_secrets TURN_SECRETS 'TURN secret list' valid_turn_secrets "$TURN_SECRETS_DIR"
resolve_secret postgres_password POSTGRES_PASSWORD 'database password' valid_db_password
# Hex only: it goes into a redis:// URL and a redis.conf line unescaped.
valid_redis_password() {
  [[ $1 == --explain ]] && { echo 'it must be at least 16 characters of A-Z a-z 0-9 . _ ~ -.'; return 0; }
  [[ $1 =~ ^[A-Za-z0-9._~-]{16,}$ ]]
}
resolve_secret redis_password REDIS_PASSWORD 'Redis password' valid_redis_password

# --- TLS certificate ---------------------------------------------------------------------
readonly CHAIN="$CERTS_DIR/fullchain.pem" KEY="$CERTS_DIR/privkey.pem"
readonly ORIGIN="$CERTS_DIR/origin"

describe_cert() {
  openssl x509 -in "$1" -noout -subject -enddate -ext subjectAltName 2>/dev/null |
    tr '\n' ' ' | tr -s ' '
}

# The public key of a certificate and of a private key must be identical.
key_matches_cert() {
  [[ $(openssl x509 -in "$1" -noout -pubkey 2>/dev/null) == "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]]
}

# Subject alternative names for a generated certificate: localhost, the service names the
# browsers and the gateway use inside the stack, and the configured public host names.
self_signed_names() {
  local names=(DNS:localhost IP:127.0.0.1 IP:::1 DNS:web DNS:turn) host
  local hosts="${TLS_HOSTNAMES:-} ${TURN_HOST:-}"
  for host in ${hosts//,/ }; do
    if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
      names+=("IP:$host")
    elif [[ $host =~ ^[A-Za-z0-9.-]+$ ]]; then
      names+=("DNS:$host")
    else
      fail "TLS_HOSTNAMES and TURN_HOST must be host names or IP addresses, got '$host'."
    fi
  done
  printf '%s\n' "${names[@]}" | awk '!seen[$0]++' | paste -sd, -
}

import_present=false
if [[ -e $IMPORT_DIR/fullchain.pem || -e $IMPORT_DIR/privkey.pem ]]; then
  [[ -s $IMPORT_DIR/fullchain.pem && -s $IMPORT_DIR/privkey.pem ]] ||
    fail "CERTS_DIR must contain both fullchain.pem and privkey.pem (found only one)."
  import_present=true
fi

if $import_present; then
  openssl x509 -in "$IMPORT_DIR/fullchain.pem" -noout 2>/dev/null ||
    fail "CERTS_DIR/fullchain.pem is not a PEM certificate."
  openssl pkey -in "$IMPORT_DIR/privkey.pem" -noout 2>/dev/null ||
    fail "CERTS_DIR/privkey.pem is not an unencrypted PEM private key."
  key_matches_cert "$IMPORT_DIR/fullchain.pem" "$IMPORT_DIR/privkey.pem" ||
    fail "CERTS_DIR/privkey.pem does not belong to the first certificate in CERTS_DIR/fullchain.pem."
  openssl x509 -in "$IMPORT_DIR/fullchain.pem" -noout -checkend 0 >/dev/null ||
    fail "The certificate in CERTS_DIR/fullchain.pem has expired."
  install_file "$CHAIN" 0444 <"$IMPORT_DIR/fullchain.pem"
  install_file "$KEY" 0440 <"$IMPORT_DIR/privkey.pem"
  echo imported | install_file "$ORIGIN" 0444
  log "certificate: imported from CERTS_DIR: $(describe_cert "$CHAIN")"
else
  wanted="self-signed $(self_signed_names)"
  origin=$(cat "$ORIGIN" 2>/dev/null || true)
  if [[ -s $CHAIN && -s $KEY && $origin == imported ]]; then
    log "certificate: keeping the previously imported one: $(describe_cert "$CHAIN")"
  elif [[ -s $CHAIN && -s $KEY && $origin == "$wanted" ]] &&
    openssl x509 -in "$CHAIN" -noout -checkend "$RENEW_BEFORE_SECONDS" >/dev/null; then
    log "certificate: keeping the self-signed one: $(describe_cert "$CHAIN")"
  else
    work=$(mktemp -d)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$work/privkey.pem" -out "$work/fullchain.pem" -days "$SELF_SIGNED_DAYS" \
      -subj '/CN=Callgate self-signed' -addext "subjectAltName=${wanted#self-signed }" \
      -addext 'basicConstraints=critical,CA:FALSE' \
      -addext 'extendedKeyUsage=serverAuth' 2>/dev/null ||
      fail "openssl could not create a self-signed certificate."
    install_file "$KEY" 0440 <"$work/privkey.pem"
    install_file "$CHAIN" 0444 <"$work/fullchain.pem"
    printf '%s' "$wanted" | install_file "$ORIGIN" 0444
    rm -rf "$work"
    log "certificate: generated a self-signed one (browsers will warn; put fullchain.pem and privkey.pem in ./certs for a trusted one): $(describe_cert "$CHAIN")"
  fi
fi
log 'done.'
