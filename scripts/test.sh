#!/usr/bin/env bash
# Installs the workspace and runs every check: types, lint, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-pnpm.sh
pnpm install --frozen-lockfile --reporter=silent || pnpm install --frozen-lockfile
echo "== typecheck"; pnpm --silent typecheck
echo "== lint"; pnpm --silent lint
echo "== tests"; pnpm --silent test
