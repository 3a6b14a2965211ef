#!/bin/sh
# Container entrypoint for the Callgate gateway.
# Secrets may come from files (the compose stack's "secrets" volume) instead of the
# environment: JWT_SECRET_FILE, TURN_SECRETS_FILE, and DATABASE_PASSWORD_FILE together with
# DATABASE_HOST/PORT/USER/NAME to build DATABASE_URL, and REDIS_PASSWORD_FILE together with
# REDIS_HOST/PORT to build REDIS_URL. A variable that is already set wins.
set -eu

fail() {
  printf 'callgate-gateway: %s\n' "$1" >&2
  exit 78
}

# from_file NAME: when $NAME is empty and ${NAME}_FILE names a file, export its content.
from_file() {
  eval "value=\${$1:-} file=\${$1_FILE:-}"
  if [ -z "$value" ] && [ -n "$file" ]; then
    [ -r "$file" ] || fail "$1_FILE ($file) is not readable; is the secrets volume mounted?"
    value=$(cat "$file")
    [ -n "$value" ] || fail "$1_FILE ($file) is empty."
    export "$1=$value"
  fi
  unset "$1_FILE"
}

from_file JWT_SECRET
from_file TURN_SECRETS

if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_PASSWORD_FILE:-}" ]; then
  [ -r "$DATABASE_PASSWORD_FILE" ] ||
    fail "DATABASE_PASSWORD_FILE ($DATABASE_PASSWORD_FILE) is not readable; is the secrets volume mounted?"
  # The password may contain URL-reserved characters; node encodes it.
  DATABASE_URL=$(node -e '
    const fs = require("node:fs");
    const e = process.env;
    const password = fs.readFileSync(e.DATABASE_PASSWORD_FILE, "utf8").trim();
    const user = e.DATABASE_USER || "callgate";
    const url = new URL("postgres://" + (e.DATABASE_HOST || "db") + ":" + (e.DATABASE_PORT || "5432"));
    url.username = encodeURIComponent(user);
    url.password = encodeURIComponent(password);
    url.pathname = "/" + encodeURIComponent(e.DATABASE_NAME || user);
    process.stdout.write(url.href);
  ') || fail "could not build DATABASE_URL from DATABASE_HOST, DATABASE_PORT, DATABASE_USER, DATABASE_NAME and DATABASE_PASSWORD_FILE."
  export DATABASE_URL
fi
unset DATABASE_PASSWORD_FILE

if [ -z "${REDIS_URL:-}" ] && [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  [ -r "$REDIS_PASSWORD_FILE" ] ||
    fail "REDIS_PASSWORD_FILE ($REDIS_PASSWORD_FILE) is not readable; is the secrets volume mounted?"
  REDIS_URL=$(node -e '
    const fs = require("node:fs");
    const e = process.env;
    const url = new URL("redis://" + (e.REDIS_HOST || "redis") + ":" + (e.REDIS_PORT || "6379"));
    url.password = encodeURIComponent(fs.readFileSync(e.REDIS_PASSWORD_FILE, "utf8").trim());
    process.stdout.write(url.href);
  ') || fail "could not build REDIS_URL from REDIS_HOST, REDIS_PORT and REDIS_PASSWORD_FILE."
  export REDIS_URL
fi
unset REDIS_PASSWORD_FILE

exec "$@"
