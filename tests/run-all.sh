#!/usr/bin/env bash
# tests/run-all.sh — `make check`: every test dbkeeper has, in this order:
#
#   build      both extensions, warnings as errors
#   core       tests/core/test_*.c, unit tests of the core without a database
#   sqlite     tests/sqlite/t_*.sh against the real sqlite3 shell
#   pg         per PostgreSQL version (DBK_PG_VERSIONS, default "15"; "15 17 18"
#              adds 17 and 18, not yet in the default run: see
#              docs/postgresql-versions.md for what still fails there):
#              pg_regress (sql/, expected/) on a throwaway cluster, then
#              tests/pg/t_*.sh (multi-process: logins, crashes, replicas,
#              pg_cron), each starting its own clusters.  The host's version
#              runs here, the others in Debian chroots (tests/pg/chroot.sh);
#              ids are prefixed pg15/, pg17/, pg18/; then backups of 15
#              restored on the newer versions (tests/pg/cross_version.sh)
#   sanitize   core and SQLite tests again, built with AddressSanitizer and
#              UndefinedBehaviorSanitizer, and the libFuzzer targets of
#              tests/fuzz/ for a bounded time each
#
# Every test prints "PASS <id>" or "FAIL <id> ..."; a suite that dies counts
# as a failure.  The run ends with "N passed, N failed" and exits non-zero
# when anything failed.  DBK_ONLY=core,sqlite limits the suites.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=$ROOT/build
RESULTS=$BUILD/results.txt
mkdir -p "$BUILD"
: > "$RESULTS"
ONLY=",${DBK_ONLY:-build,core,sqlite,pg,sanitize},"
CFLAGS_TEST="-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wshadow -DDBKEEPER_VERSION=\"test\""

wanted() { [[ $ONLY == *",$1,"* ]]; }

# The core's sources: core/<feature>/*.c, and core/*.c for a module not yet
# filed under a feature.
core_sources() { compgen -G 'core/*.c'; compgen -G 'core/*/*.c'; }

# run_suite NAME CMD...: runs CMD, copies its output to the terminal and the
# results file, and records a failure if it exits non-zero without one.
run_suite() {
  local name=$1 out rc
  shift
  out=$(mktemp)
  "$@" > >(tee "$out") 2>&1
  rc=$?
  wait
  cat "$out" >> "$RESULTS"
  if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
    echo "FAIL $name exited with status $rc" | tee -a "$RESULTS"
  fi
  rm -f "$out"
}

build_all() {
  if make -s all >"$BUILD/build.log" 2>&1; then
    echo "PASS build/all"
  else
    cat "$BUILD/build.log"
    echo "FAIL build/all"
    return 1
  fi
}

# core_tests PREFIX EXTRA_CFLAGS: compiles and runs every tests/core/test_*.c.
core_tests() {
  local prefix=$1 flags=$2 t bin rc=0
  mkdir -p "$BUILD/$prefix"
  for t in tests/core/test_*.c; do
    [ -e "$t" ] || continue
    bin=$BUILD/$prefix/$(basename "$t" .c)
    # shellcheck disable=SC2086
    if ! cc $CFLAGS_TEST $flags -o "$bin" $(core_sources) "$t" -lzstd -lcrypto -lm; then
      echo "FAIL $prefix/$(basename "$t") does not compile"
      rc=1
      continue
    fi
    if [ -n "$flags" ]; then
      "$bin" | sed "s/^PASS core\//PASS $prefix\//; s/^FAIL core\//FAIL $prefix\//" || rc=1
    else
      "$bin" || rc=1
    fi
  done
  return $rc
}

# sqlite_tests EXT [PRELOAD] [TAG]: runs tests/sqlite/t_*.sh against EXT.
# A script that dies, or ends without a single PASS line, fails on its own.
sqlite_tests() {
  local ext=$1 preload=${2:-} tag=${3:-sqlite} t rc=0 out status
  out=$(mktemp)
  for t in tests/sqlite/t_*.sh; do
    [ -e "$t" ] || continue
    if [ "$tag" = sqlite ]; then
      DBK_SQLITE_EXT=$ext DBK_PRELOAD=$preload bash "$t" 2>&1 | tee "$out"
    else
      DBK_SQLITE_EXT=$ext DBK_PRELOAD=$preload DBK_HEAVY=0 bash "$t" 2>&1 \
        | sed "s/^PASS sqlite\//PASS $tag\//; s/^FAIL sqlite\//FAIL $tag\//" | tee "$out"
    fi
    status=${PIPESTATUS[0]}
    if [ "$status" -ne 0 ]; then
      rc=1
      grep -q '^FAIL ' "$out" || echo "FAIL $tag/$(basename "$t" .sh) exited with status $status"
    elif ! grep -q '^PASS ' "$out"; then
      echo "FAIL $tag/$(basename "$t" .sh) passed nothing"
    fi
  done
  rm -f "$out"
  return $rc
}

# pg_tests: the PostgreSQL suite on each version of DBK_PG_VERSIONS, on the
# host when it has that server, else in that version's chroot.
pg_tests() {
  local v rc=0 t0
  for v in ${DBK_PG_VERSIONS:-15}; do
    t0=$SECONDS
    if [ -x "/usr/lib/postgresql/$v/bin/postgres" ] && [ -x "/usr/lib/postgresql/$v/bin/pg_config" ]; then
      DBK_PG_VERSION=$v tests/pg/run.sh 2>&1 |
        sed -u -E "s#^(PASS|FAIL) pg/#\\1 pg$v/#; t; s#^(PASS|FAIL) #\\1 pg$v/#"
      [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
    else
      tests/pg/chroot.sh "$v" || rc=1
    fi
    echo "PostgreSQL $v: $((SECONDS - t0)) s"
  done
  # Backups of the host's version restored on the newer ones, and refused
  # the other way (tests/pg/cross_version.sh; DBK_PG_ONLY=cross runs it).
  local host newer=""
  host=$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
  for v in ${DBK_PG_VERSIONS:-15}; do
    [ "$v" = "$host" ] || [ "$v" -lt "${host:-0}" ] || newer="$newer $v"
  done
  if [[ " ${DBK_PG_VERSIONS:-15} " == *" $host "* ]] && [ -n "$newer" ] &&
     { [ -z "${DBK_PG_ONLY:-}" ] || [[ " $DBK_PG_ONLY " == *" cross "* ]]; }; then
    t0=$SECONDS
    tests/pg/cross_version.sh $newer || rc=1
    echo "PostgreSQL $host to$newer: $((SECONDS - t0)) s"
  fi
  return $rc
}

sanitize_tests() {
  local dir=$BUILD/asan flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
  local libasan
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  if ! cc -O1 -g -shared -fPIC $flags -std=c11 -D_GNU_SOURCE -DDBKEEPER_VERSION=\"asan\" \
        -Wall -Wextra -Werror -o "$dir/dbkeeper.so" $(core_sources) sqlite_ext/*.c -lzstd -lcrypto; then
    echo "FAIL asan/build"
    return 1
  fi
  echo "PASS asan/build"
  libasan=$(cc -print-file-name=libasan.so)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  core_tests asan "$flags"
  sqlite_tests "$dir/dbkeeper" "$libasan" asan-sqlite
  fuzz_tests
}

# fuzz_tests: every tests/fuzz/fuzz_*.c under libFuzzer with ASan and UBSan,
# for DBK_FUZZ_SECONDS (30) each, from its seed corpus tests/fuzz/corpus/<name>.
fuzz_tests() {
  local f name bin corpus
  for f in tests/fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .c)
    bin=$BUILD/fuzz/$name
    corpus=$BUILD/fuzz/corpus-$name
    mkdir -p "$corpus"
    if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c11 \
          -D_GNU_SOURCE -Wall -Wextra -Werror -o "$bin" $(core_sources) "$f" -lzstd -lcrypto; then
      echo "FAIL fuzz/$name does not compile"
      continue
    fi
    if "$bin" -max_total_time="${DBK_FUZZ_SECONDS:-30}" -print_final_stats=1 \
          -artifact_prefix="$BUILD/fuzz/$name-" "$corpus" \
          "tests/fuzz/corpus/${name#fuzz_}" > "$BUILD/fuzz/$name.log" 2>&1; then
      echo "PASS fuzz/$name $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/fuzz/$name.log" | grep -o '[0-9]*$') inputs without a finding"
    else
      tail -40 "$BUILD/fuzz/$name.log"
      echo "FAIL fuzz/$name found a crash (see $BUILD/fuzz/$name.log)"
    fi
  done
}

wanted build && { run_suite build build_all || true; }
if grep -q '^FAIL build/' "$RESULTS"; then
  echo "the build failed; no tests ran"
else
  wanted core && run_suite core core_tests core ""
  wanted sqlite && run_suite sqlite sqlite_tests "$ROOT/sqlite_ext/dbkeeper"
  wanted pg && run_suite pg pg_tests
  wanted sanitize && run_suite sanitize sanitize_tests
fi

passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
if [ "$failed" -gt 0 ]; then
  echo
  echo "Failures:"
  grep '^FAIL ' "$RESULTS"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
