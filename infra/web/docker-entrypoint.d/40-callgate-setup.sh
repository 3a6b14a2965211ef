#!/bin/sh
# Runs before nginx starts (the nginx image executes /docker-entrypoint.d/*.sh).
# 1. Validates the settings substituted into the configuration.
# 2. Writes the /metrics allow list: the container's own (internal Docker) networks, except
#    their gateway addresses, plus METRICS_ALLOWED_CIDRS. Requests that reach a published
#    port through docker-proxy (host loopback, IPv6) arrive from the network's gateway
#    address, so that address is denied first: only other containers on the stack's network
#    (for example a Prometheus attached to it) and explicitly listed addresses get through.
set -eu

fail() {
  printf 'callgate-web: %s\n' "$1" >&2
  exit 64
}

case ${HTTPS_PORT:-} in
  '' | *[!0-9]*) fail "HTTPS_PORT must be a port number, got '${HTTPS_PORT:-}'." ;;
esac
[ "$HTTPS_PORT" -ge 1 ] && [ "$HTTPS_PORT" -le 65535 ] || fail "HTTPS_PORT must be 1-65535, got '$HTTPS_PORT'."
case ${GATEWAY_UPSTREAM:-} in
  '' | *[!A-Za-z0-9.:_-]*) fail "GATEWAY_UPSTREAM must be host:port, got '${GATEWAY_UPSTREAM:-}'." ;;
esac
case ${NGINX_RESOLVER:-} in
  '' | *[!A-Za-z0-9.:_\[\]-]*) fail "NGINX_RESOLVER must be a DNS server address, got '${NGINX_RESOLVER:-}'." ;;
esac
for file in /etc/callgate/certs/fullchain.pem /etc/callgate/certs/privkey.pem; do
  [ -r "$file" ] || fail "TLS file $file is missing; the init service puts it in the certs volume."
done

# Little-endian hex (from /proc/net/route) to dotted quad.
hex_to_ip() {
  printf '%d.%d.%d.%d' "0x$(echo "$1" | cut -c7-8)" "0x$(echo "$1" | cut -c5-6)" \
    "0x$(echo "$1" | cut -c3-4)" "0x$(echo "$1" | cut -c1-2)"
}

# Netmask in hex to prefix length.
mask_bits() {
  bits=0
  m=$(printf '%d' "0x$1")
  while [ "$m" -gt 0 ]; do
    bits=$((bits + (m & 1)))
    m=$((m >> 1))
  done
  echo "$bits"
}

out=/etc/nginx/snippets/callgate-metrics-allow.conf
{
  echo '# Written at container start by 40-callgate-setup.sh; do not edit.'
  echo 'allow 127.0.0.1;'
  echo 'allow ::1;'
  tail -n +2 /proc/net/route | while read -r _iface dest gw _flags _ref _use _metric mask _rest; do
    if [ "$dest" = 00000000 ] && [ "$gw" != 00000000 ]; then
      echo "deny $(hex_to_ip "$gw");"
    fi
  done
  tail -n +2 /proc/net/route | while read -r _iface dest gw _flags _ref _use _metric mask _rest; do
    if [ "$dest" != 00000000 ] && [ "$gw" = 00000000 ]; then
      echo "allow $(hex_to_ip "$dest")/$(mask_bits "$mask");"
    fi
  done
  for cidr in $(echo "${METRICS_ALLOWED_CIDRS:-}" | tr ',' ' '); do
    case $cidr in
      *[!0-9A-Fa-f:./]*) fail "METRICS_ALLOWED_CIDRS entries must be addresses or CIDRs, got '$cidr'." ;;
    esac
    echo "allow $cidr;"
  done
  echo 'deny all;'
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "callgate-web: /metrics allowed from: $(grep '^allow' "$out" | cut -d' ' -f2 | tr -d ';' | tr '\n' ' ')"
