#!/usr/bin/env bash
# The main job, rehearsed against the local sandbox: what `npm run demo` runs after install.
set -euo pipefail
gwctl() { node "$(dirname "$0")/../bin/run.js" "$@"; }

gwctl --version
gwctl env list
gwctl env show sandbox
