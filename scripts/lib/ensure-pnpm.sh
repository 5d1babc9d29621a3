# Sourced by the other scripts: makes `pnpm` (the version package.json pins) available on a bare machine.
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$want" ]]; then
  echo "tributary: installing pnpm $want" >&2
  npm install --global --silent "pnpm@$want" >/dev/null 2>&1 || {
    corepack enable >/dev/null 2>&1 && corepack prepare "pnpm@$want" --activate >/dev/null
  }
fi
# pnpm keeps its content-addressed store in the user's data directory, so repeated runs and CI on
# the same machine reuse downloads; on a bare machine the first install fills it.
# Installs must not stop to ask questions (no TTY in CI).
export CI="${CI:-}"
export npm_config_confirm_modules_purge=false
