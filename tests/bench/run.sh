#!/usr/bin/env bash
# tests/bench/run.sh — `make bench`: runs every tests/bench/bench_*.sh.
#
# Each benchmark compares dbkeeper with what a user would run instead, on
# the same data, and prints a Markdown table of times, sizes, memory and
# ratios; README "Performance" quotes them.  Benchmarks never fail a build
# on timings.  Results also go to build/bench/<name>.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/bench
status=0
for b in tests/bench/bench_*.sh; do
  [ -e "$b" ] || continue
  name=$(basename "$b" .sh)
  if [ -n "${DBK_BENCH_ONLY:-}" ] && [[ ",$DBK_BENCH_ONLY," != *",${name#bench_},"* ]]; then
    continue
  fi
  echo "== $name"
  if ! bash "$b" | tee "build/bench/$name.md"; then
    echo "$name failed" >&2
    status=1
  fi
done
exit $status
