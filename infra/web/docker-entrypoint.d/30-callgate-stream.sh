#!/bin/sh
# Renders the stream (layer 4) configuration: the web port's ALPN router. The image's own
# template step renders only into the http context, so this one has its own directory.
set -eu

fail() {
  printf 'callgate-web: %s\n' "$1" >&2
  exit 64
}

case ${TURN_TLS_UPSTREAM:-} in
  '' | *[!A-Za-z0-9.:_-]* | *[!0-9]) fail "TURN_TLS_UPSTREAM must be host:port of coturn's TLS listener, got '${TURN_TLS_UPSTREAM:-}'." ;;
  *:*) ;;
  *) fail "TURN_TLS_UPSTREAM must be host:port of coturn's TLS listener, got '$TURN_TLS_UPSTREAM'." ;;
esac
mkdir -p /etc/nginx/stream.d
envsubst '${TURN_TLS_UPSTREAM}' </etc/nginx/stream-templates/callgate-stream.conf.template \
  >/etc/nginx/stream.d/callgate-stream.conf
echo "callgate-web: TURN/TLS on the web port goes to $TURN_TLS_UPSTREAM"
