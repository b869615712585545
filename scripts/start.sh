#!/usr/bin/env bash
# Starts the whole service locally with local defaults: API (cluster), workers and the
# operators' board under pm2, on FerretDB and Redis. Safe to run again: it restarts.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -f .env ]] || { cp .env.example .env; echo "start: created .env from .env.example (local defaults)"; }
# The environment wins over .env, as in src/config.ts; only PORT is needed here.
PORT=${PORT:-$(sed -nE 's/^PORT=([0-9]+).*/\1/p' .env)}

[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
npm run --silent build
mkdir -p var/log

PM2=./node_modules/.bin/pm2
$PM2 startOrReload ecosystem.config.js --update-env >/dev/null
echo "start: waiting for http://127.0.0.1:${PORT:-8002}/ready"
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:${PORT:-8002}/ready" >/dev/null 2>&1; then
    $PM2 ls
    echo "start: ORMS is up: API http://127.0.0.1:${PORT:-8002}  board http://127.0.0.1:${PORT:-8002}/admin/queues"
    echo "start: logs: npx pm2 logs   stop: npm run stop"
    exit 0
  fi
  sleep 0.5
done
echo "start: the API did not become ready; recent logs:" >&2
$PM2 logs --nostream --lines 30 >&2 || true
exit 1
