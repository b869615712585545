#!/usr/bin/env bash
# Runs the README's "Try it" block exactly as written (CI, after scripts/start.sh), and
# checks that each step did what the README says: the order read back, moved along,
# returned and refunded, and a second one cancelled.
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/<!-- try-it/ {found=1; next} found && /^```bash/ {inside=1; next} inside && /^```/ {exit} inside {print}' README.md)
[[ -n $block ]] || { echo "try-it: no block after <!-- try-it --> in README.md" >&2; exit 1; }
out=$(bash -euo pipefail -c "$block")
printf '%s\n' "$out"
grep -q '"success":true,"message":"Order retrieved successfully"' <<<"$out" || { echo "try-it: the order was not read back" >&2; exit 1; }
grep -q '"newStatus":"Placed"' <<<"$out" || { echo "try-it: the order's history was not read back" >&2; exit 1; }
grep -q '"message":"Return request approved successfully"' <<<"$out" || { echo "try-it: the return was not approved" >&2; exit 1; }
grep -q '"previousStatus":"Return Requested","newStatus":"Returned"' <<<"$out" || { echo "try-it: the return was not completed" >&2; exit 1; }
grep -q '"status":"Cancelled"' <<<"$out" || { echo "try-it: the second order was not cancelled" >&2; exit 1; }
echo "try-it: the README's examples work as written"
