#!/bin/sh
# Healthy once coturn answers a STUN binding request on its first IPv4 listening address
# (TURN_LISTEN_IPS), or on 127.0.0.1 when it listens on every address. With host networking
# "127.0.0.1" is the host's loopback, so a relay pinned to other addresses needs this.
config=${TURN_RENDERED_CONFIG:-/tmp/turnserver.conf}
address=$(sed -n 's/^listening-ip=//p' "$config" 2>/dev/null | grep -v ':' | head -n 1)
exec turnutils_stunclient -p "${TURN_PORT:-3478}" "${address:-127.0.0.1}" >/dev/null
