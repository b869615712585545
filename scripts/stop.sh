#!/usr/bin/env bash
# Stops what scripts/start.sh started (pm2 apps, then the local FerretDB).
set -uo pipefail
cd "$(dirname "$0")/.."
./node_modules/.bin/pm2 delete ecosystem.config.js >/dev/null 2>&1 && echo "stop: pm2 apps stopped"
[[ "${1:-}" == "--keep-services" ]] || bash scripts/services.sh down
