#!/usr/bin/env bash
# Starts the whole service locally with local defaults: API (cluster), workers and the
# operators' board under pm2, on FerretDB, Redis and Mailpit; in development also stand-ins
# for the Auth and Customer services when nothing answers at their addresses.
# Safe to run again: it restarts what runs.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -f .env ]] || { cp .env.example .env; echo "start: created .env from .env.example (local defaults)"; }
# The environment wins over .env, as in src/config.ts.
setting() { local v=${!1:-}; [[ -n $v ]] && { printf '%s' "$v"; return; }; sed -nE "s/^$1=([^[:space:]#]*).*/\1/p" .env | tail -1; }
PORT=$(setting PORT); PORT=${PORT:-8002}
ENVIRONMENT=$(setting ENVIRONMENT); ENVIRONMENT=${ENVIRONMENT:-development}

[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
npm run --silent build
mkdir -p var/log

PM2=./node_modules/.bin/pm2
hostport() { local u=${1#*://}; u=${u%%/*}; [[ $u == *:* ]] || u="$u:80"; printf '%s' "$u"; }
is_local() { [[ ${1%:*} == localhost || ${1%:*} == 127.0.0.1 ]]; }
answers() { timeout 1 bash -c "exec 3<>/dev/tcp/${1%:*}/${1##*:}" 2>/dev/null; }

# Stand-ins for the platform's other services: development only, and only where nothing
# real answers at the configured local address (never in production; never in src/).
stand_ins=()
if [[ $ENVIRONMENT == development ]]; then
  running=$($PM2 jlist 2>/dev/null | grep -c '"name":"orms-dev-peers"' || true)
  for key in AUTH_SERVICE_URL CUSTOMER_SERVICE_URL; do
    url=$(setting "$key"); hp=$(hostport "${url:-http://localhost:3001}")
    if is_local "$hp" && { [[ $running -gt 0 ]] || ! answers "$hp"; }; then stand_ins+=("$key=$url"); fi
  done
fi

$PM2 startOrReload ecosystem.config.js --update-env >/dev/null
if [[ ${#stand_ins[@]} -gt 0 ]]; then
  $PM2 startOrReload scripts/dev-peers/ecosystem.config.js --update-env >/dev/null
  echo "start: STAND-INS, not the real services: ${stand_ins[*]} are answered by scripts/dev-peers (pm2 app orms-dev-peers)"
fi

echo "start: waiting for http://127.0.0.1:${PORT}/ready"
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:${PORT}/ready" >/dev/null 2>&1; then
    $PM2 ls
    echo "start: ORMS is up: API http://127.0.0.1:${PORT}  docs http://127.0.0.1:${PORT}/docs  board http://127.0.0.1:${PORT}/admin/queues"
    echo "start: mailbox http://127.0.0.1:8025  token: npm run --silent token -- --user alice  demo: npm run demo"
    echo "start: logs: npm run logs   stop: npm run stop"
    exit 0
  fi
  sleep 0.5
done
echo "start: the API did not become ready; recent logs:" >&2
$PM2 logs --nostream --lines 30 >&2 || true
exit 1
