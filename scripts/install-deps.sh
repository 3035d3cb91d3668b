#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the launcher need. Idempotent: when
# every package is already installed it runs no apt-get at all.
# Usage: scripts/install-deps.sh [--bench] [EXTRA_PACKAGE ...]   (startup.sh passes xterm x11-utils
# when a display is present; --bench adds what scripts/bench.sh needs)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkgconf          # compiler, build system; pkg-config for CapnProto's config
  capnproto libcapnp-dev                 # Cap'n Proto schema compiler, RPC and KJ
  libcurl4-openssl-dev ca-certificates   # front-end's postcodes.io look-ups over HTTPS
  rapidjson-dev libfmt-dev               # JSON (cluster file, postcodes.io answers), formatting
  doctest-dev                            # unit and system tests
  valgrind                               # tests: memcheck of the cases that reach into libkj (not sanitised)
  clang-14 libfuzzer-14-dev              # fuzz targets (tests/fuzz): libFuzzer, ASan, UBSan
  libedit-dev                            # client's line editing (BSD licence, readline API)
  zlib1g-dev                             # zlib: the gzipped postcode fixtures
  libmimalloc-dev                        # the front-end's allocator (MIT licence)
  tmux procps iproute2 jq                # launcher: windows, ss (who holds a port); its tests: ps, jq
  shellcheck                             # tests: every shell script clean at warning level
  clang-format                           # tests: every C++ file laid out as .clang-format says
  spin                                   # tests/model: the replication protocol's model is checked by spin
  chromium chromium-driver python3-selenium  # tests/web: the web page in headless Chromium, driven by Selenium
)
BENCH_PACKAGES=(redis-server redis-tools gnuplot-nox time)  # bench.sh: the Redis 7 reference, the plot; cpu-per-order.sh: /usr/bin/time
for arg in "$@"; do
  if [[ $arg == --bench ]]; then PACKAGES+=("${BENCH_PACKAGES[@]}"); else PACKAGES+=("$arg"); fi
done

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
