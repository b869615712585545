#!/usr/bin/env bash
# Stops what scripts/start.sh started (pm2 apps, the stand-ins, then the local FerretDB and Mailpit).
set -uo pipefail
cd "$(dirname "$0")/.."
./node_modules/.bin/pm2 delete ecosystem.config.js >/dev/null 2>&1 && echo "stop: pm2 apps stopped"
./node_modules/.bin/pm2 delete scripts/dev-peers/ecosystem.config.js >/dev/null 2>&1 && echo "stop: stand-ins stopped"
[[ "${1:-}" == "--keep-services" ]] || bash scripts/services.sh down
