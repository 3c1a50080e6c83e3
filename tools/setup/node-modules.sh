# Runs `npm ci` when node_modules is missing or package-lock.json changed since the last install.
# Sourced by ./plexus with ROOT set and Node 24 on PATH.

ensure_node_modules() {
  local marker="$ROOT/node_modules/.plexus-lock-sha256"
  local wanted
  wanted="$(files_sha256 "$ROOT/package-lock.json")"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted" ]; then
    return
  fi
  say "installing npm dependencies (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  printf '%s\n' "$wanted" >"$marker"
}
