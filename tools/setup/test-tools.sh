# Tools the test suite drives as real peers: the Mosquitto command-line clients (interop tests
# of the MQTT gateway). Sourced by ./plexus with ROOT set; only `./plexus test` needs them.

ensure_test_tools() {
  command -v mosquitto_pub >/dev/null 2>&1 && command -v mosquitto_sub >/dev/null 2>&1 && return
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing mosquitto-clients (apt-get) for the MQTT interop tests"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto-clients; } >/dev/null ||
      die "apt-get could not install mosquitto-clients"
    return
  fi
  die "the MQTT interop tests need mosquitto_pub and mosquitto_sub: run 'sudo apt-get install -y mosquitto-clients' (or your system's equivalent)"
}
