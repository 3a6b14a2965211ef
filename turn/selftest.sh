#!/bin/bash
# Checks the running relay's authentication and peer policy from inside its own container:
#   docker compose exec turn callgate-turn-selftest
# Credentials are computed from the first shared secret exactly as the gateway signs them.
# Traffic goes only to this container's own address; the private and loopback peers below
# are refused by coturn before anything is sent to them. The test client does not release
# its allocations, so its allocations (about forty, with the quota check) stay until they expire (10 minutes).
set -uo pipefail

secrets=${TURN_SECRETS:-}
if [[ -z $secrets && -n ${TURN_SECRETS_FILE:-} ]]; then secrets=$(<"$TURN_SECRETS_FILE"); fi
[[ -n $secrets ]] || { echo 'callgate-turn-selftest: no TURN secret (TURN_SECRETS or TURN_SECRETS_FILE).' >&2; exit 64; }
secret=${secrets%%,*}
port=${TURN_PORT:-3478}
config=${TURN_RENDERED_CONFIG:-/tmp/turnserver.conf}
# The first pinned listening address (host networking), else this container's own address.
server=$(sed -n 's/^listening-ip=//p' "$config" 2>/dev/null | grep -m1 -v ':' || true)
[[ -n $server ]] || server=$(hostname -I | awk '{print $1}')
failures=0

# credential SECONDS_FROM_NOW NAME -> "username password"
credential() {
  # A distinct user per check, so the per-user allocation quota is not what answers.
  local username="$(($(date +%s) + $1)):$2-$$-$RANDOM"
  printf '%s %s' "$username" "$(printf '%s' "$username" | openssl dgst -sha1 -hmac "$secret" -binary | base64)"
}

uclient() { timeout 20 turnutils_uclient -p "$port" "$@" "$server" 2>&1; }

# check DESCRIPTION yes|no — on failure also shows the end of the last client output ($out).
check() {
  if [[ $2 == yes ]]; then
    echo "PASS  $1"
  else
    echo "FAIL  $1"
    printf '%s\n' "$out" | tail -n 5 | sed 's/^/      /'
    failures=$((failures + 1))
  fi
}

read -r user pass <<<"$(credential 600 selftest-valid)"
out=$(uclient -v -n 1 -c -u "$user" -w "$pass" -e 127.0.0.1)
[[ $out == *'Received relay addr'* ]] && ok=yes || ok=no
check 'a fresh credential allocates a relay address' "$ok"

read -r user pass <<<"$(credential -10 selftest-expired)"
out=$(uclient -v -n 1 -c -u "$user" -w "$pass" -e 127.0.0.1)
[[ $out != *'Received relay addr'* ]] && ok=yes || ok=no
check 'a credential that expired 10 s ago is refused (401)' "$ok"

read -r user _ <<<"$(credential 600 selftest-forged)"
out=$(uclient -v -n 1 -c -u "$user" -w 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' -e 127.0.0.1)
[[ $out != *'Received relay addr'* ]] && ok=yes || ok=no
check 'a credential with a wrong signature is refused (401)' "$ok"

# One address inside each denied range that a relay on this host could otherwise reach.
denied_v4=(10.255.255.254 100.64.0.1 169.254.169.254 192.0.0.8 192.0.2.1 198.51.100.7
  203.0.113.9 192.88.99.1 198.18.0.1)
# Loopback is allowed on purpose in test stacks (TURN_ALLOW_LOOPBACK_PEERS).
grep -q '^allow-loopback-peers' "$config" 2>/dev/null || denied_v4=(127.0.0.1 "${denied_v4[@]}")
for peer in "${denied_v4[@]}"; do
  read -r user pass <<<"$(credential 600 selftest-peer)"
  out=$(uclient -v -n 1 -c -u "$user" -w "$pass" -e "$peer")
  [[ $out == *'Received relay addr'* && $out == *'403'* ]] && ok=yes || ok=no
  check "relaying to $peer is refused (403)" "$ok"
done

# IPv6 peers need an IPv6 relay address (-x); only where this coturn has one.
# Pinned listening addresses (host networking) decide; otherwise this container's own.
if grep -q '^listening-ip=' "$config" 2>/dev/null; then
  server6=$(sed -n 's/^listening-ip=//p' "$config" | grep -m1 ':' || true)
else
  server6=$(hostname -I | tr ' ' '\n' | grep -m1 -E '^[0-9a-f]{1,4}:' | grep -v -E '^fe80:' || true)
fi
if [[ -n $server6 ]]; then
  for peer in 2002:a00:1::1 2001::1 2001:2::1 2001:db8::1 3fff::1 fec0::1 fd00::1 64:ff9b::a00:1 ::ffff:10.0.0.1; do
    read -r user pass <<<"$(credential 600 selftest-peer6)"
    out=$(timeout 20 turnutils_uclient -p "$port" -v -n 1 -c -x -u "$user" -w "$pass" -e "$peer" "$server6" 2>&1)
    [[ $out == *'Received relay addr'* && $out == *'403'* ]] && ok=yes || ok=no
    check "relaying to $peer is refused (403)" "$ok"
  done
else
  echo "SKIP  IPv6 peers: this relay has no IPv6 address"
fi

# The quota is per user id, not per credential: coturn strips "<expiry>:" before counting.
quota=$(sed -n 's/^user-quota=//p' "$config" 2>/dev/null)
if [[ -n $quota ]] && grep -q "^allowed-peer-ip=$server\$" "$config" 2>/dev/null; then
  id="selftest-quota-$$-$RANDOM"
  first="$(($(date +%s) + 600)):$id"
  second="$(($(date +%s) + 1200)):$id"
  sign() { printf '%s' "$1" | openssl dgst -sha1 -hmac "$secret" -binary | base64; }
  # The test client leaves its allocations in place, so these hold the whole quota.
  # Client-to-client (-y) through this relay's own address, two allocations per client:
  # asks for twice the quota, so the first credential ends up holding all of it.
  out=$(uclient -n 1 -m "$quota" -y -u "$first" -w "$(sign "$first")")
  out=$(uclient -v -n 1 -c -e 192.0.2.1 -u "$second" -w "$(sign "$second")")
  [[ $out == *'486'* && $out != *'Received relay addr'* ]] && ok=yes || ok=no
  check "a user holding user-quota=$quota allocations gets 486 with another credential too" "$ok"
  read -r user pass <<<"$(credential 600 selftest-other-user)"
  out=$(uclient -v -n 1 -c -e 192.0.2.1 -u "$user" -w "$pass")
  [[ $out == *'Received relay addr'* ]] && ok=yes || ok=no
  check 'meanwhile another user still allocates' "$ok"
else
  echo "SKIP  quota: needs user-quota and $server in ALLOWED_PEER_IPS (client-to-client)"
fi

# TLS: AEAD suites only, never CBC (SHA-1 or SHA-256). Small key-share groups: this coturn
# does not read a ClientHello split over several TCP segments (OpenSSL 3.5's default
# post-quantum key share makes it that big).
tls_port=${TURNS_PORT:-5349}
tls() { timeout 10 openssl s_client -groups X25519:P-256 -connect "$server:$tls_port" "$@" </dev/null 2>&1; }
out=$(tls -tls1_2)
[[ $out =~ Cipher\ is\ ECDHE-[A-Z]+-(AES[0-9]+-GCM-SHA[0-9]+|CHACHA20-POLY1305) ]] && ok=yes || ok=no
check "TLS 1.2 with an AEAD suite on $tls_port" "$ok"
out=$(tls -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES128-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:AES256-SHA')
[[ $out == *'Cipher is (NONE)'* || $out != *'Cipher is '* ]] && ok=yes || ok=no
check "CBC suites (SHA-1, SHA-256) are refused on $tls_port" "$ok"
out=$(tls -tls1_3)
if [[ $out == *'New, TLSv1.3'* ]]; then echo "INFO  TLS 1.3 is negotiated on $tls_port"; else
  echo "INFO  this coturn build does not negotiate TLS 1.3 on $tls_port"; fi

if grep -q "^allowed-peer-ip=$server\$" "$config" 2>/dev/null; then
  read -r user pass <<<"$(credential 600 selftest-relay)"
  out=$(uclient -y -n 5 -u "$user" -w "$pass")
  [[ $out == *'Total lost packets 0 '* ]] && ok=yes || ok=no
  check "relay-to-relay through $server (ALLOWED_PEER_IPS) carries data" "$ok"
else
  echo "SKIP  relay-to-relay: $server is not in ALLOWED_PEER_IPS"
fi

echo "callgate-turn-selftest: $failures failed"
[[ $failures -eq 0 ]]
