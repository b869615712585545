#!/usr/bin/env bash
# Follows the ORMS apps' logs under pm2 as readable lines. The apps write pino JSON (what a
# log shipper wants), which `pm2 logs` shows as is; here it goes through pino-pretty.
#   npm run logs                       every ORMS app (orms-api, orms-workers, orms-dev-peers)
#   npm run logs -- orms-workers       one app: a pm2 name, id, namespace or /regex/
#   npm run logs -- --lines 100        the last 100 lines of each log first (15 by default)
#   npm run logs -- --err | --out      only the error or the standard output logs
#   npm run logs -- --nostream         print the last lines and exit
# The files pm2 writes are read with tail, not through `pm2 logs --raw`: pm2 reads the last
# lines as the last 200 bytes per line and cuts longer lines (pino's are 250-500 bytes) into
# fragments pino-pretty cannot read, and its stream does not take a /regex/, so following
# only the ORMS apps on a daemon shared with other projects needs the files anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

target='/^orms-/'; lines=15; only=all; follow=(-F)
while (($#)); do
  case $1 in
    --lines) lines=${2:?--lines takes a number}; shift ;;
    --lines=*) lines=${1#*=} ;;
    --err) only=err ;;
    --out) only=out ;;
    --nostream) follow=() ;;
    -*) echo "logs: unknown option $1 (known: --lines N, --err, --out, --nostream)" >&2; exit 2 ;;
    *) target=$1 ;;
  esac
  shift
done
[[ $lines =~ ^[0-9]+$ ]] || { echo "logs: --lines takes a number, not $lines" >&2; exit 2; }

# pm2's own notion of an app (name, id, namespace or /regex/), and where it writes its logs;
# the instances of a cluster app share one file.
mapfile -t files < <(./node_modules/.bin/pm2 jlist | node -e '
  const [target, only] = process.argv.slice(1);
  const regex = /^\/.*\/$/.test(target) ? new RegExp(target.slice(1, -1)) : null;
  const files = new Set();
  for (const p of JSON.parse(require("fs").readFileSync(0, "utf8"))) {
    const env = p.pm2_env ?? {};
    if (!(regex ? regex.test(p.name) : [p.name, String(p.pm_id), env.namespace].includes(target))) continue;
    if (only !== "err") files.add(env.pm_out_log_path);
    if (only !== "out") files.add(env.pm_err_log_path);
  }
  for (const f of files) if (f && f !== "/dev/null") console.log(f);
' "$target" "$only")
if ((${#files[@]} == 0)); then
  echo "logs: no pm2 app matches $target (is the stack up? npm start)" >&2
  exit 1
fi

# tail names each file before its lines when there are several (==> var/log/api.out.log <==);
# pino-pretty leaves such lines, and anything else that is not JSON, as they are.
tail -n "$lines" "${follow[@]}" "${files[@]}" |
  ./node_modules/.bin/pino-pretty --singleLine --translateTime 'SYS:HH:MM:ss.l' --ignore hostname,service
