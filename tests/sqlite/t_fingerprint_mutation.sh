#!/usr/bin/env bash
# The SQLite fingerprint's mutation test (tests/sqlite/fingerprint_mutation.py):
# random schemas from a fixed seed, each written two ways and changed one
# property at a time, judged by an oracle of SQLite's pragmas and behaviour
# probes that never calls dbkeeper.  Prints every miss and false alarm,
# shrunk.  DBK_MUTATION_CASES and DBK_MUTATION_SEED override the defaults
# (250 cases, seed 23; 60 in the sanitizer pass).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
if [ "$DBK_HEAVY" = 0 ]; then cases=${DBK_MUTATION_CASES:-60}; else cases=${DBK_MUTATION_CASES:-250}; fi
if [ -n "${DBK_PRELOAD:-}" ]; then export LD_PRELOAD=$DBK_PRELOAD ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0; fi
python3 "$HERE/fingerprint_mutation.py" "$DBK_SQLITE_EXT" "$cases" "${DBK_MUTATION_SEED:-23}"
