#!/usr/bin/env bash
# tests/deps.sh — makes sure the Debian 12 packages dbkeeper needs are here.
#
# As root it installs what is missing (apt-get update, then apt-get install);
# otherwise it prints the command to run and fails.  `make demo`, `make check`
# and `make bench` call it first; `tests/deps.sh --print` only lists them.
# `tests/deps.sh --chroot N` lists what a Debian chroot for PostgreSQL N needs
# (tests/pg/chroot.sh): the PostgreSQL 15 packages with 15 replaced by N, and
# the build and test tools the PostgreSQL suite uses.
set -euo pipefail

PACKAGES=(
  build-essential            # gcc, make
  postgresql-15              # the server the tests run on
  postgresql-server-dev-15   # PGXS and pg_regress
  postgresql-15-cron         # scheduling tests
  libkrb5-dev                # needed to include libpq/libpq-be.h
  libsqlite3-dev sqlite3     # the SQLite extension and its shell
  libzstd-dev zstd           # compression, and the zstd tool for checks
  libssl-dev                 # libcrypto, for SHA-256
  util-linux                 # flock, used to serialise PostgreSQL installs in tests
  procps                     # ps, pkill for the crash tests
  time                       # /usr/bin/time for peak memory in benchmarks
  clang libclang-rt-14-dev   # libFuzzer for the fuzz targets
  python3                    # the codelist differential test's reference
  systemd                    # systemd-analyze, to check the README's timer units
  bc                         # arithmetic in the SQLite writer-latency benchmark
  debootstrap                # the chroots of PostgreSQL 17 and 18 (tests/pg/chroot.sh)
)
# What only the host's suites (SQLite, sanitizers, fuzzing, chroots) use.
HOST_ONLY=" libsqlite3-dev sqlite3 clang libclang-rt-14-dev debootstrap time systemd bc "
names=()  # the package names without their comments
for p in "${PACKAGES[@]}"; do names+=("$p"); done

if [ "${1:-}" = "--chroot" ]; then
  for p in "${names[@]}"; do
    [[ $HOST_ONLY == *" $p "* ]] && continue
    printf '%s\n' "${p//-15/-$2}"
  done
  exit 0
fi
if [ "${1:-}" = "--print" ]; then
  printf '%s\n' "${names[@]}"
  exit 0
fi

missing=()
for p in "${names[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "dbkeeper needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# Installing server packages may upgrade and restart nothing we rely on;
# every test starts its own throwaway cluster.
