# Ensures the local engines can run: redis-server, and mongod or the FerretDB launcher.
# Sourced by ./plexus with ROOT set. MONGODB_URI / REDIS_URL mean "use that server", so the
# matching engine is not needed.

ensure_redis() {
  [ -n "${REDIS_URL:-}" ] && return
  command -v redis-server >/dev/null 2>&1 && return
  local install='apt-get update && apt-get install -y redis-server'
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing redis-server (apt-get)"
    # RUNLEVEL=1 keeps the package's init script from starting a system Redis on port 6379.
    { apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >/dev/null ||
      die "apt-get could not install redis-server"
    return
  fi
  die "redis-server is required: run 'sudo ${install//&& /&& sudo }' (or your system's equivalent), or set REDIS_URL to an existing Redis"
}

ensure_mongo_wire() {
  [ -n "${MONGODB_URI:-}" ] && return
  command -v mongod >/dev/null 2>&1 && return
  local source_dir="$ROOT/tools/ferretdb-embedded"
  local binary="$ROOT/.tools/bin/ferretdb-embedded"
  local stamp="$binary.sha256"
  local wanted
  wanted="$(files_sha256 "$source_dir"/*.go "$source_dir/go.mod" "$source_dir/go.sum")"
  if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  local go=go
  command -v go >/dev/null 2>&1 || go=/usr/local/go/bin/go
  [ -x "$(command -v "$go")" ] ||
    die "a MongoDB wire engine is required: install Go (https://go.dev/dl) so ./plexus can build FerretDB, put mongod on PATH, or set MONGODB_URI to an existing MongoDB"
  say "building the FerretDB launcher into .tools/bin (a few minutes the first time)"
  mkdir -p "$ROOT/.tools/bin"
  (cd "$source_dir" && "$go" build -o "$binary.partial" .) || die "building tools/ferretdb-embedded failed"
  mv "$binary.partial" "$binary"
  printf '%s\n' "$wanted" >"$stamp"
}
