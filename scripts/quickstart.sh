#!/usr/bin/env bash
# Installs the workspace and runs the main example (fraud alerts) on the embedded runner.
# Needs only Node.js >= 20.6 and the npm registry; no external service.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-pnpm.sh
pnpm install --frozen-lockfile --reporter=silent || pnpm install --frozen-lockfile
pnpm --silent example
