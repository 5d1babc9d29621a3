# Sourced by the other scripts: makes `pnpm` (the version package.json pins) available on a bare machine.
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$want" ]]; then
  echo "tributary: installing pnpm $want" >&2
  npm install --global --silent "pnpm@$want" >/dev/null 2>&1 || {
    corepack enable >/dev/null 2>&1 && corepack prepare "pnpm@$want" --activate >/dev/null
  }
fi
# Keep pnpm's store in the user's cache so repeated runs and CI reuse downloads.
export npm_config_store_dir="${npm_config_store_dir:-$HOME/.cache/pnpm-store}"
