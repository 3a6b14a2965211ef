#!/bin/bash
# Renders the coturn configuration from turnserver.conf.template and the environment, then
# runs turnserver. Every setting is validated first: a bad value stops the container with
# one sentence naming the variable, instead of a relay that starts with a weaker policy.
set -euo pipefail

readonly TEMPLATE=${TURN_CONFIG_TEMPLATE:-/etc/coturn/turnserver.conf.template}
readonly RENDERED=${TURN_RENDERED_CONFIG:-/tmp/turnserver.conf}

fail() {
  printf 'callgate-turn: %s\n' "$1" >&2
  exit 64
}

# Anything that is not an option is a command to run instead of coturn (e.g. a shell).
if [[ $# -gt 0 && ${1:0:1} != '-' ]]; then
  exec "$@"
fi

is_true() {
  case ${!1:-} in
    true | 1 | yes) return 0 ;;
    '' | false | 0 | no) return 1 ;;
    *) fail "$1 must be true or false, got '${!1}'." ;;
  esac
}

require_uint() {
  local name=$1 min=$2 max=$3 value=${!1}
  [[ $value =~ ^[0-9]{1,10}$ ]] && ((10#$value >= min && 10#$value <= max)) ||
    fail "$name must be a whole number from $min to $max, got '$value'."
}

# An IPv4/IPv6 address or a first-last range of them; coturn parses the details.
is_ip_or_range() {
  [[ $1 =~ ^[0-9A-Fa-f:.]+(-[0-9A-Fa-f:.]+)?$ && $1 == *[.:]* ]]
}

# --- Shared secret(s) ----------------------------------------------------------------------
secrets=${TURN_SECRETS:-}
if [[ -z $secrets && -n ${TURN_SECRETS_FILE:-} ]]; then
  [[ -r $TURN_SECRETS_FILE ]] ||
    fail "TURN_SECRETS_FILE ($TURN_SECRETS_FILE) is not readable; is the secrets volume mounted?"
  secrets=$(<"$TURN_SECRETS_FILE")
fi
[[ -n $secrets ]] ||
  fail "No TURN secret: set TURN_SECRETS (comma-separated, each at least 32 characters) or TURN_SECRETS_FILE."
secret_lines=()
IFS=',' read -r -a secret_list <<<"$secrets"
for secret in "${secret_list[@]}"; do
  [[ $secret =~ ^[A-Za-z0-9._~+/=-]{32,}$ ]] ||
    fail "Every TURN secret must be at least 32 characters of A-Z a-z 0-9 . _ ~ + / = - (no spaces)."
  secret_lines+=("static-auth-secret=$secret")
done

# --- Scalars ---------------------------------------------------------------------------------
export TURN_REALM=${TURN_REALM:-callgate}
export TURN_PORT=${TURN_PORT:-3478}
export TURNS_PORT=${TURNS_PORT:-5349}
export TURN_MIN_PORT=${TURN_MIN_PORT:-49152}
export TURN_MAX_PORT=${TURN_MAX_PORT:-65535}
export TURN_USER_QUOTA=${TURN_USER_QUOTA:-24}
export TURN_CERT_FILE=${TURN_CERT_FILE:-/etc/callgate/certs/fullchain.pem}
export TURN_PKEY_FILE=${TURN_PKEY_FILE:-/etc/callgate/certs/privkey.pem}

[[ $TURN_REALM =~ ^[A-Za-z0-9.-]{1,253}$ ]] ||
  fail "TURN_REALM must be a host-name-like string (letters, digits, dots, hyphens), got '$TURN_REALM'."
require_uint TURN_PORT 1 65535
require_uint TURNS_PORT 1 65535
require_uint TURN_MIN_PORT 1024 65535
require_uint TURN_MAX_PORT 1024 65535
((10#$TURN_MIN_PORT <= 10#$TURN_MAX_PORT)) ||
  fail "TURN_MIN_PORT ($TURN_MIN_PORT) must not be greater than TURN_MAX_PORT ($TURN_MAX_PORT)."
require_uint TURN_USER_QUOTA 1 100000
for file in "$TURN_CERT_FILE" "$TURN_PKEY_FILE"; do
  [[ -r $file ]] ||
    fail "TLS file $file is not readable; the init service puts fullchain.pem and privkey.pem in the certs volume."
done

# --- Lists -----------------------------------------------------------------------------------
# ip_lines ARRAY PREFIX VARIABLE: ARRAY gets one "PREFIX=ip" per comma-separated address.
ip_lines() {
  local -n out=$1
  local prefix=$2 name=$3 entry list
  out=()
  [[ -n ${!name:-} ]] || return 0
  IFS=',' read -r -a list <<<"${!name}"
  for entry in "${list[@]}"; do
    [[ $entry =~ ^[0-9A-Fa-f:.]+$ && $entry == *[.:]* ]] ||
      fail "$name entries must be IP addresses, got '$entry'."
    out+=("$prefix=$entry")
  done
}
# With host networking these pick which of the host's addresses coturn listens and relays
# on; empty = coturn's default (every address of the host).
ip_lines listen_lines listening-ip TURN_LISTEN_IPS
ip_lines relay_lines relay-ip TURN_RELAY_IPS

# hex_ip: /proc/net/route's little-endian hex to a 32-bit number.
hex_ip() { echo $((16#${1:6:2}${1:4:2}${1:2:2}${1:0:2})); }
ip_num() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# On host networking coturn would otherwise relay from every host address, Docker bridges
# included (172.17.0.1 and friends: unreachable for remote browsers). Unless pinned, relay
# from the host's IPv4 addresses outside the Docker bridge subnets and loopback.
auto_relay_ips=()
if [[ ${#relay_lines[@]} -eq 0 ]] && is_true TURN_HOST_NETWORK; then
  bridges=()
  while read -r iface dest _gw _flags _ref _use _metric mask _rest; do
    [[ $iface =~ ^(docker|br-|veth|virbr|cni|flannel|cali) && $dest != 00000000 ]] &&
      bridges+=("$(hex_ip "$dest")/$(hex_ip "$mask")")
  done < <(tail -n +2 /proc/net/route)
  for address in $(hostname -I); do
    [[ $address =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ && $address != 127.* ]] || continue
    value=$(ip_num "$address") inside=false
    for bridge in "${bridges[@]}"; do
      (((value & ${bridge#*/}) == ${bridge%/*})) && inside=true
    done
    $inside || auto_relay_ips+=("$address")
  done
  for address in "${auto_relay_ips[@]}"; do relay_lines+=("relay-ip=$address"); done
fi

# total-quota: every allocation holds one relay port per relay address, so more allocations
# than ports can never succeed; the default is exactly the range.
relay_addresses=$((${#relay_lines[@]} > 0 ? ${#relay_lines[@]} : 1))
relay_ports=$((10#$TURN_MAX_PORT - 10#$TURN_MIN_PORT + 1))
export TURN_TOTAL_QUOTA=${TURN_TOTAL_QUOTA:-$((relay_ports * relay_addresses))}
require_uint TURN_TOTAL_QUOTA 1 $((relay_ports * relay_addresses))
((10#$TURN_USER_QUOTA <= 10#$TURN_TOTAL_QUOTA)) ||
  fail "TURN_USER_QUOTA ($TURN_USER_QUOTA) must not be greater than TURN_TOTAL_QUOTA ($TURN_TOTAL_QUOTA)."

external_lines=()
if [[ -n ${TURN_EXTERNAL_IP:-} ]]; then
  IFS=',' read -r -a external_list <<<"$TURN_EXTERNAL_IP"
  for entry in "${external_list[@]}"; do
    [[ $entry =~ ^[0-9A-Fa-f:.]+(/[0-9A-Fa-f:.]+)?$ ]] ||
      fail "TURN_EXTERNAL_IP entries must be 'public-ip' or 'public-ip/private-ip', got '$entry'."
    external_lines+=("external-ip=$entry")
  done
fi

allowed_lines=()
if [[ -n ${ALLOWED_PEER_IPS:-} ]]; then
  IFS=',' read -r -a allowed_list <<<"$ALLOWED_PEER_IPS"
  for entry in "${allowed_list[@]}"; do
    if [[ $entry == self ]]; then
      # The addresses coturn relays from: the pinned relay addresses, else the container's
      # own (on a bridge network those belong to coturn alone).
      if [[ -n ${TURN_RELAY_IPS:-} ]]; then
        for own in "${relay_lines[@]#relay-ip=}"; do allowed_lines+=("allowed-peer-ip=$own"); done
      elif is_true TURN_HOST_NETWORK; then
        # The host's addresses would open every UDP service of the host to relayed peers.
        echo 'callgate-turn: ALLOWED_PEER_IPS=self on host networking means TURN_RELAY_IPS, which is empty: no exception (relay-to-relay works only on a public relay address).' >&2
      else
        for own in $(hostname -I); do allowed_lines+=("allowed-peer-ip=$own"); done
      fi
    elif is_ip_or_range "$entry"; then
      allowed_lines+=("allowed-peer-ip=$entry")
    else
      fail "ALLOWED_PEER_IPS entries must be 'self', an IP address or a first-last range, got '$entry'."
    fi
  done
fi

loopback_lines=()
if is_true TURN_ALLOW_LOOPBACK_PEERS; then
  echo 'callgate-turn: WARNING: TURN_ALLOW_LOOPBACK_PEERS is on; peers on 127.0.0.0/8 and ::1 are relayed. Tests only.' >&2
  # The template denies 127.0.0.0/8 and ::1 explicitly as well; lift that too.
  loopback_lines+=('allow-loopback-peers' 'allowed-peer-ip=127.0.0.0-127.255.255.255' 'allowed-peer-ip=::1')
fi

# Bytes per second (coturn's unit), each direction of one allocation; see docs/STACK.md.
export TURN_MAX_BPS=${TURN_MAX_BPS:-375000}
require_uint TURN_MAX_BPS 0 10000000000
export TURN_BPS_CAPACITY=${TURN_BPS_CAPACITY:-0}
require_uint TURN_BPS_CAPACITY 0 10000000000

# --- Render ----------------------------------------------------------------------------------
readonly SCALARS=(TURN_REALM TURN_PORT TURNS_PORT TURN_MIN_PORT TURN_MAX_PORT TURN_USER_QUOTA
  TURN_TOTAL_QUOTA TURN_MAX_BPS TURN_BPS_CAPACITY TURN_CERT_FILE TURN_PKEY_FILE)

print_lines() {
  if [[ $# -gt 0 ]]; then printf '%s\n' "$@"; fi
}

render() {
  local line name
  while IFS= read -r line || [[ -n $line ]]; do
    case $line in
      @STATIC_AUTH_SECRETS@) print_lines "${secret_lines[@]}" ;;
      @EXTERNAL_IPS@) print_lines "${external_lines[@]}" ;;
      @ALLOWED_PEER_IPS@) print_lines "${allowed_lines[@]}" ;;
      @ALLOW_LOOPBACK_PEERS@) print_lines "${loopback_lines[@]}" ;;
      @LISTENING_IPS@) print_lines "${listen_lines[@]}" ;;
      @RELAY_IPS@) print_lines "${relay_lines[@]}" ;;
      *)
        for name in "${SCALARS[@]}"; do
          line=${line//"\${$name}"/"${!name}"}
        done
        printf '%s\n' "$line"
        ;;
    esac
  done <"$TEMPLATE"
}

umask 077
render >"$RENDERED"
if grep -nE '^[^#]*\$\{|^@[A-Z_]+@$' "$RENDERED" >&2; then
  fail "the template $TEMPLATE has a placeholder this entrypoint does not know (lines above)."
fi

printf 'callgate-turn: realm=%s listening=[%s]:%s/tcp+udp tls=%s relay=[%s]:%s-%s user-quota=%s total-quota=%s max-bps=%s bps-capacity=%s secrets=%d external-ip=[%s] allowed-peer-ip=[%s]\n' \
  "$TURN_REALM" "${TURN_LISTEN_IPS:-all}" "$TURN_PORT" "$TURNS_PORT" \
  "${TURN_RELAY_IPS:-auto: ${auto_relay_ips[*]:-every address}}" \
  "$TURN_MIN_PORT" "$TURN_MAX_PORT" "$TURN_USER_QUOTA" "$TURN_TOTAL_QUOTA" "$TURN_MAX_BPS" \
  "$TURN_BPS_CAPACITY" "${#secret_lines[@]}" "${TURN_EXTERNAL_IP:-}" \
  "$(printf '%s ' "${allowed_lines[@]#allowed-peer-ip=}")"

exec turnserver -c "$RENDERED" "$@"
