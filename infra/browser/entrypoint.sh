#!/bin/sh
# Starts one headless Chromium for the end-to-end suite.
#
# The container has no control network: the suite reaches DevTools (127.0.0.1:9222)
# through `docker exec … socat`, so the only interfaces Chromium can gather candidates
# on are the scenario's own networks.
#
#   TEST_CA_FILE   PEM of the test CA to trust (root's NSS database), optional.
#   EXTRA_FLAGS    extra Chromium flags, optional.
set -eu

# Off-subnet traffic has nowhere to go: Docker's internal networks still install a
# default route to the host's bridge address; remove it so nothing leaves the subnets.
ip -4 route del default 2>/dev/null || true

# Scenario rules (UDP to turn blocked, only 5349 open) go into this chain at run time.
iptables -N CG_SCENARIO
iptables -A OUTPUT -j CG_SCENARIO
# IPv4 only: no IPv6 path may bypass the scenario rules.
ip6tables -P INPUT DROP
ip6tables -P OUTPUT DROP
ip6tables -A INPUT -i lo -j ACCEPT
ip6tables -A OUTPUT -o lo -j ACCEPT

if [ -n "${TEST_CA_FILE:-}" ]; then
  mkdir -p /root/.pki/nssdb
  certutil -N -d sql:/root/.pki/nssdb --empty-password
  certutil -A -d sql:/root/.pki/nssdb -n callgate-test-ca -t C,, -i "$TEST_CA_FILE"
fi

# shellcheck disable=SC2086 # EXTRA_FLAGS is a list of flags
exec chromium \
  --headless \
  --no-sandbox \
  --remote-debugging-address=127.0.0.1 \
  --remote-debugging-port=9222 \
  --user-data-dir=/tmp/chromium-profile \
  --use-fake-device-for-media-stream \
  --use-fake-ui-for-media-stream \
  --disable-background-networking \
  --disable-component-update \
  --disable-sync \
  --disable-default-apps \
  --disable-extensions \
  --no-first-run \
  --no-default-browser-check \
  --disable-gpu \
  --disable-dev-shm-usage \
  --autoplay-policy=no-user-gesture-required \
  --mute-audio \
  ${EXTRA_FLAGS:-} \
  about:blank
