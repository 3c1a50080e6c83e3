# Tools the test suite drives as real peers: the Mosquitto broker and command-line clients (interop
# tests of the MQTT gateway, the load agent's client tests) and Chromium (the load suite's
# dashboard and report pages are tested in a real headless browser through playwright-core).
# Sourced by ./plexus with ROOT set; only `./plexus test` needs them.

TEST_TOOL_PACKAGES="mosquitto mosquitto-clients chromium"

missing_test_tools() {
  command -v mosquitto_pub >/dev/null 2>&1 && command -v mosquitto_sub >/dev/null 2>&1 &&
    [ -x /usr/sbin/mosquitto ] && [ -x /usr/bin/chromium ]
}

ensure_test_tools() {
  missing_test_tools && return
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing $TEST_TOOL_PACKAGES (apt-get) for the MQTT interop and load-suite browser tests"
    # shellcheck disable=SC2086 # the package list is meant to split into words
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $TEST_TOOL_PACKAGES; } >/dev/null ||
      die "apt-get could not install $TEST_TOOL_PACKAGES"
    return
  fi
  die "the tests need the mosquitto broker and clients and /usr/bin/chromium: run 'sudo apt-get install -y $TEST_TOOL_PACKAGES' (or your system's equivalent)"
}
