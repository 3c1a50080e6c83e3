# Shared by ./plexus and the other tools/setup scripts; sourced, never run.

say() { printf 'plexus: %s\n' "$*"; }
die() { printf 'plexus: %s\n' "$*" >&2; exit 1; }

# sha256 of the given files' contents, in the order given (one line, hash only).
files_sha256() { cat "$@" | sha256sum | cut -d' ' -f1; }

is_root() { [ "$(id -u)" = 0 ]; }
