#!/usr/bin/env bash
# The main job, rehearsed end to end against the local sandbox: what `npm run demo` runs after install.
# Everything happens under a throwaway GWCTL_HOME, so it never touches a sandbox you already have.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export GWCTL_HOME="${GWCTL_HOME:-$(mktemp -d "${TMPDIR:-/tmp}/gwctl-demo-XXXXXX")}"
# npm scripts put the node@22 devDependency first on PATH; run directly, use it too.
node="$root/node_modules/.bin/node"; [ -x "$node" ] || node=node
gwctl() { "$node" "$root/bin/run.js" "$@"; }
step() { printf '\n\033[1m$ gwctl %s\033[0m\n' "$*" >&2; gwctl "$@"; }
trap 'gwctl sandbox stop >/dev/null 2>&1 || true' EXIT

step --version
step sandbox start --detach
seeded_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
step env list
step env show sandbox
step sandbox status
step doctor --env sandbox
step verify infra --env sandbox
step bucket ttl show --env sandbox --bucket parcels
step bucket ttl set --env sandbox --bucket parcels --days 7 --yes
# Live is no longer the code (exit 3), but the audit log explains who changed it and when.
step verify infra --env sandbox || [ $? -eq 3 ]
step migrate keyev --env sandbox --to firestore --rename current_private_address=current_id --yes
step migrate keystore --env sandbox --yes
step diagnose parcels --env sandbox --requests 5 --hold 3s --since 10m
step monitoring plan --env sandbox
step monitoring apply --env sandbox --yes
# The copy as a Storage Transfer Service job (the sandbox emulates it), then gwctl's own rewrites: content the
# first stored is reused, so the second copies nothing.
step backup create --env sandbox --engine sts --yes
step backup create --env sandbox --quiesce --yes
step backup list --env sandbox
step backup verify latest --env sandbox --deep
step backup restore latest --env sandbox --to-bucket relaycorp-gateway-sandbox-vault-restored --engine sts --yes
step backup schedule --env sandbox --every 12h
step env status sandbox
step env deprovision sandbox --dry-run
step env unprotect sandbox --yes --confirm sandbox
step env deprovision sandbox --yes --confirm sandbox --timeout 2m
step env status sandbox
step audit show --env sandbox --limit 12
step audit verify --env sandbox
step audit key --env sandbox
step sandbox requests --mutating --since "$seeded_at"
