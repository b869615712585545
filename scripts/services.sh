#!/usr/bin/env bash
# Local services for development and tests: a MongoDB-compatible server, Redis, and a
# mail catcher (Mailpit: SMTP, a web UI and a REST API). Idempotent: `up` only starts what
# is not already answering.
#   up      make sure MongoDB (MONGODB_URI) or a local FerretDB, Redis and Mailpit answer
#   down    stop the FerretDB and Mailpit this script started (Redis is the machine's, left alone)
#   status  say what answers
#   ferretdb-bin  build FerretDB if needed and print its path (tests start private ones)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR="$ROOT/var"
mkdir -p "$VAR"

FERRETDB_VERSION=1.24.2
FERRETDB_ADDR=${FERRETDB_ADDR:-127.0.0.1:27017}
FERRETDB_PG_URL=${FERRETDB_PG_URL:-postgres://postgres@127.0.0.1:5432/ferretdb}
MONGODB_URI=${MONGODB_URI:-mongodb://${FERRETDB_ADDR}/order_db}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
# v1.33.1 is on the Go module proxy, but its web UI pins npm packages this registry does not serve
# (rapidoc 12, sass-embedded 1.108.1); the UI lock of v1.27.11 is served in full.
MAILPIT_VERSION=1.27.11
MAILPIT_SMTP=${MAILPIT_SMTP:-127.0.0.1:1025}
MAILPIT_UI=${MAILPIT_UI:-127.0.0.1:8025}

say() { printf 'services: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

# host:port of a mongodb:// or redis:// URL (first host only; enough for a liveness probe).
hostport() { local u=${1#*://}; u=${u#*@}; u=${u%%/*}; u=${u%%\?*}; u=${u%%,*}; printf '%s' "$u"; }
tcp_open() { local hp=$1; timeout 1 bash -c "exec 3<>/dev/tcp/${hp%:*}/${hp##*:}" 2>/dev/null; }

mongo_answers() { tcp_open "$(hostport "$MONGODB_URI")"; }
redis_answers() {
  local hp; hp=$(hostport "$REDIS_URL")
  timeout 2 bash -c "exec 3<>/dev/tcp/${hp%:*}/${hp##*:}; printf 'PING\r\n' >&3; IFS= read -r line <&3; [[ \$line == +PONG* || \$line == -NOAUTH* ]]" 2>/dev/null
}

ferretdb_bin() {
  # Rebuilt whenever the build module changes; the stamp is its content hash.
  local src="$ROOT/scripts/ferretdb" bin="$VAR/bin/ferretdb" stamp
  stamp=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)
  if [[ -x "$bin" && "$(cat "$bin.stamp" 2>/dev/null)" == "$stamp" ]]; then printf '%s' "$bin"; return; fi
  [[ -x "$GO" ]] || fail "FerretDB is not built and no Go toolchain was found. Install Go 1.24+ (https://go.dev) or set MONGODB_URI to a running MongoDB."
  say "building FerretDB v$FERRETDB_VERSION with $("$GO" version | cut -d' ' -f3) (first run only, one to three minutes)"
  mkdir -p "$VAR/bin"
  (cd "$src" && "$GO" build -o "$bin" .) >&2 \
    || fail "building FerretDB v$FERRETDB_VERSION failed (see above). Check that the Go module proxy is reachable, or set MONGODB_URI to a running MongoDB."
  printf '%s' "$stamp" >"$bin.stamp"
  printf '%s' "$bin"
}

mailpit_bin() {
  local bin="$VAR/bin/mailpit" stamp="v$MAILPIT_VERSION"
  if [[ -x "$bin" && "$(cat "$bin.stamp" 2>/dev/null)" == "$stamp" ]]; then printf '%s' "$bin"; return; fi
  [[ -x "$GO" ]] || fail "Mailpit is not built and no Go toolchain was found. Install Go 1.26+ (https://go.dev)."
  command -v npm >/dev/null || fail "Mailpit's web UI is built with npm, which was not found."
  say "building Mailpit v$MAILPIT_VERSION with its web UI (first run only, a few minutes)"
  # The module's own sources, from the Go module proxy; its UI is built from them with npm
  # before go build embeds it (a plain `go install` serves a blank page: Mailpit issue #200).
  local src work="$VAR/build/mailpit-$MAILPIT_VERSION"
  src=$(cd "$VAR" && "$GO" mod download -json "github.com/axllent/mailpit@v$MAILPIT_VERSION" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')
  [[ -n "$src" && -d "$src" ]] || fail "could not download github.com/axllent/mailpit@v$MAILPIT_VERSION from the Go module proxy"
  rm -rf "$work" && mkdir -p "$VAR/build" "$VAR/bin" && cp -r "$src" "$work" && chmod -R u+w "$work"
  (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && npm run build --silent) >&2 \
    || fail "building Mailpit's web UI failed (see above)"
  (cd "$work" && CGO_ENABLED=0 "$GO" build -trimpath -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=v$MAILPIT_VERSION" -o "$bin" .) >&2 \
    || fail "building Mailpit failed (see above)"
  printf '%s' "$stamp" >"$bin.stamp"
  rm -rf "$work"
  printf '%s' "$bin"
}

mailpit_answers() { tcp_open "$MAILPIT_SMTP" && tcp_open "$MAILPIT_UI"; }

mailpit_up() {
  mailpit_answers && return 0
  local bin pidfile="$VAR/mailpit.pid"
  bin=$(mailpit_bin)
  say "starting Mailpit v$MAILPIT_VERSION: SMTP $MAILPIT_SMTP, web UI and API http://$MAILPIT_UI (log: var/mailpit.log)"
  # Mail is kept in var/mailpit.db across restarts; nothing calls out (no version check).
  nohup "$bin" --smtp "$MAILPIT_SMTP" --listen "$MAILPIT_UI" --database "$VAR/mailpit.db" \
    --smtp-auth-accept-any --smtp-auth-allow-insecure --disable-version-check >>"$VAR/mailpit.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    mailpit_answers && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$VAR/mailpit.log" >&2 || true
  fail "Mailpit did not start (see var/mailpit.log)"
}

stop_started() {
  local name=$1 pidfile="$VAR/$2.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"; say "stopped $name"
  else
    say "no $name started by this script is running"
  fi
  rm -f "$pidfile"
}

postgres_up() {
  local pg=${FERRETDB_PG_URL#*://}; pg=${pg#*@}; pg=${pg%%/*}
  tcp_open "$pg" && return 0
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    say "PostgreSQL is not answering on $pg; starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >&2 || true
    for _ in $(seq 1 50); do tcp_open "$pg" && return 0; sleep 0.2; done
  fi
  fail "PostgreSQL (FerretDB's storage) does not answer at $pg. Start it, or set FERRETDB_PG_URL, or set MONGODB_URI to a running MongoDB."
}

ferretdb_up() {
  local bin pidfile="$VAR/ferretdb.pid"
  bin=$(ferretdb_bin)
  postgres_up
  # FerretDB creates its schemas itself but needs the database to exist.
  local db=${FERRETDB_PG_URL##*/}; db=${db%%\?*}
  local admin_url=${FERRETDB_PG_URL%/*}/postgres
  if command -v psql >/dev/null; then
    psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" 2>/dev/null | grep -q 1 \
      || psql "$admin_url" -qc "CREATE DATABASE \"$db\"" >&2 \
      || fail "could not create PostgreSQL database $db for FerretDB"
  fi
  say "starting FerretDB v$FERRETDB_VERSION on $FERRETDB_ADDR (log: var/ferretdb.log)"
  nohup "$bin" -postgresql-url="$FERRETDB_PG_URL" -listen-addr="$FERRETDB_ADDR" \
    -log-level=warn >>"$VAR/ferretdb.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    mongo_answers && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.1
  done
  tail -5 "$VAR/ferretdb.log" >&2 || true
  fail "FerretDB did not start on $FERRETDB_ADDR (see var/ferretdb.log)"
}

redis_up() {
  redis_answers && return 0
  local hp; hp=$(hostport "$REDIS_URL")
  if command -v redis-server >/dev/null && [[ ${hp%:*} == 127.0.0.1 || ${hp%:*} == localhost ]]; then
    say "Redis is not answering on $hp; starting a local redis-server (log: var/redis.log)"
    redis-server --daemonize yes --bind 127.0.0.1 --port "${hp##*:}" --save "" --appendonly no \
      --dir "$VAR" --logfile "$VAR/redis.log" >&2
    for _ in $(seq 1 50); do redis_answers && return 0; sleep 0.1; done
  fi
  fail "Redis does not answer at $REDIS_URL. Install it (apt-get install redis-server) and start it, or set REDIS_URL."
}

case "${1:-status}" in
  up)
    if mongo_answers; then say "MongoDB-compatible server answers at $(hostport "$MONGODB_URI")"; else ferretdb_up; fi
    redis_up
    mailpit_up
    say "ready: MongoDB at $(hostport "$MONGODB_URI"), Redis at $(hostport "$REDIS_URL"), mail at smtp://$MAILPIT_SMTP (http://$MAILPIT_UI)"
    ;;
  down)
    stop_started FerretDB ferretdb
    stop_started Mailpit mailpit
    ;;
  ferretdb-bin)
    ferretdb_bin
    echo
    ;;
  status)
    mongo_answers && say "mongodb: up ($(hostport "$MONGODB_URI"))" || say "mongodb: down ($(hostport "$MONGODB_URI"))"
    redis_answers && say "redis: up ($(hostport "$REDIS_URL"))" || say "redis: down ($(hostport "$REDIS_URL"))"
    mailpit_answers && say "mailpit: up (smtp $MAILPIT_SMTP, http://$MAILPIT_UI)" || say "mailpit: down (smtp $MAILPIT_SMTP, http://$MAILPIT_UI)"
    ;;
  *) fail "usage: scripts/services.sh up|down|status|ferretdb-bin" ;;
esac
