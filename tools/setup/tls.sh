# Ensures the openssl command: `./plexus start` makes the development CA and the gateway's
# server certificate with it (under .data/tls/), and the TLS tests make their certificates too.
# Sourced by ./plexus with ROOT set.

ensure_openssl() {
  command -v openssl >/dev/null 2>&1 && return
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing openssl (apt-get) for the development TLS certificates"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; } >/dev/null ||
      die "apt-get could not install openssl"
    return
  fi
  die "the development TLS certificates need openssl: run 'sudo apt-get install -y openssl' (or your system's equivalent)"
}
