#!/bin/bash
# Checks the running relay's authentication and peer policy from inside its own container:
#   docker compose exec turn callgate-turn-selftest
# Credentials are computed from the first shared secret exactly as the gateway signs them.
# Traffic goes only to this container's own address; the private and loopback peers below
# are refused by coturn before anything is sent to them. The test client does not release
# its allocations, so about eight relay ports stay in use until they expire (10 minutes).
set -uo pipefail

secrets=${TURN_SECRETS:-}
if [[ -z $secrets && -n ${TURN_SECRETS_FILE:-} ]]; then secrets=$(<"$TURN_SECRETS_FILE"); fi
[[ -n $secrets ]] || { echo 'callgate-turn-selftest: no TURN secret (TURN_SECRETS or TURN_SECRETS_FILE).' >&2; exit 64; }
secret=${secrets%%,*}
server=$(hostname -I | awk '{print $1}')
port=${TURN_PORT:-3478}
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

for peer in 127.0.0.1 10.255.255.254 100.64.0.1 169.254.169.254; do
  read -r user pass <<<"$(credential 600 selftest-peer)"
  out=$(uclient -v -n 1 -c -u "$user" -w "$pass" -e "$peer")
  [[ $out == *'Received relay addr'* && $out == *'403'* ]] && ok=yes || ok=no
  check "relaying to $peer is refused (403)" "$ok"
done

if grep -q "^allowed-peer-ip=$server\$" "${TURN_RENDERED_CONFIG:-/tmp/turnserver.conf}" 2>/dev/null; then
  read -r user pass <<<"$(credential 600 selftest-relay)"
  out=$(uclient -y -n 5 -u "$user" -w "$pass")
  [[ $out == *'Total lost packets 0 '* ]] && ok=yes || ok=no
  check "relay-to-relay through $server (ALLOWED_PEER_IPS) carries data" "$ok"
else
  echo "SKIP  relay-to-relay: $server is not in ALLOWED_PEER_IPS"
fi

echo "callgate-turn-selftest: $failures failed"
[[ $failures -eq 0 ]]
