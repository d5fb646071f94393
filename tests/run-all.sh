#!/usr/bin/env bash
# tests/run-all.sh — `make check`: every test dbkeeper has, in these parts:
#
#   build      both extensions, warnings as errors
#   core       tests/core/test_*.c, unit tests of the core without a database
#   sqlite     tests/sqlite/t_*.sh against the real sqlite3 shell
#   sanitize   core and SQLite tests again, built with AddressSanitizer and
#              UndefinedBehaviorSanitizer, and the libFuzzer targets of
#              tests/fuzz/ for a bounded time each
#   pgN        per PostgreSQL version N of DBK_PG_VERSIONS (default "15 17
#              18"; "15" alone runs only the host's): pg_regress (sql/,
#              expected/) on a throwaway
#              cluster, then tests/pg/t_*.sh (multi-process: logins, crashes,
#              replicas, pg_cron), each starting its own clusters.  The host's
#              version runs here, the others in Debian chroots
#              (tests/pg/chroot.sh, which makes a missing one first); ids are
#              prefixed pg15/, pg17/, pg18/
#   cross-backups, pg15-to-N, cross-refuse
#              backups of the host's version restored on each newer one
#              (tests/pg/cross_version.sh): the host's backups before the
#              host's suite, their restore on N after N's suite, and the
#              newer backups refused on the host once every suite has ended
#
# After build, the parts run at once (DBK_SERIAL=1: one after the other):
# core, sqlite and sanitize, which keep a core busy, one after the other in
# one lane, beside each version's suite, which waits much of its time.  A
# part's output is printed as one block when it ends (build/part-NAME.log).
# Every test prints "PASS <id>" or "FAIL <id> ..."; a part that dies counts
# as a failure.  Each part, and each step of a PostgreSQL suite, prints
# "TIME <id> <wall> s wall, <cpu> s cpu" (tests/timing.sh), which is no
# test.  The run ends with the parts' times and "N passed, N failed", and
# exits non-zero when anything failed.  DBK_ONLY=core,sqlite limits the parts
# (pg: every PostgreSQL part); docs/testing.md lists the variables.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=$ROOT/build
RESULTS=$BUILD/results.txt
mkdir -p "$BUILD"
: > "$RESULTS"
ONLY=",${DBK_ONLY:-build,core,sqlite,pg,sanitize},"
CFLAGS_TEST="-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wshadow -DDBKEEPER_VERSION=\"test\""

PG_VERSIONS=${DBK_PG_VERSIONS:-15 17 18}
SERIAL=${DBK_SERIAL:-0}
. tests/timing.sh

wanted() { [[ $ONLY == *",$1,"* ]]; }

# The core's sources: core/<feature>/*.c, and core/*.c for a module not yet
# filed under a feature.
core_sources() { compgen -G 'core/*.c'; compgen -G 'core/*/*.c'; }

# run_part NAME CMD...: runs CMD (a function of this file), the output into
# build/part-NAME.log, timed (TIME part/NAME ...).  When it ends, its output is
# printed as one block, under a lock so that the blocks of parts running at
# once never mix, and added to the results file.  A part that exits non-zero
# without a FAIL line of its own, or that passes nothing, fails as a whole.
# With DBK_SERIAL=1 the output goes to the terminal as it comes.
run_part() {
  local name=$1 log=$BUILD/part-$1.log rc
  shift
  : >"$BUILD/part-$name.running"
  if [ "$SERIAL" = 1 ]; then
    timed "part/$name" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  else
    echo "started: $name"
    timed "part/$name" "$@" >"$log" 2>&1
    rc=$?
  fi
  if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
    echo "FAIL $name exited with status $rc: $(grep -vE '^(PASS|TIME) ' "$log" | tail -3 | tr '\n' ' ')" >>"$log"
    [ "$SERIAL" = 1 ] && tail -1 "$log"
  elif ! grep -q '^PASS ' "$log"; then
    echo "FAIL $name passed nothing" >>"$log"
    [ "$SERIAL" = 1 ] && tail -1 "$log"
  fi
  rm -f "$BUILD/part-$name.running"
  {
    flock 7
    if [ "$SERIAL" != 1 ]; then
      echo "---- $name ----"
      cat "$log"
    fi
    cat "$log" >>"$RESULTS"
  } 7>"$BUILD/.print.lock"
  return $rc
}

build_all() {
  if make -s -j2 all >"$BUILD/build.log" 2>&1; then
    echo "PASS build/all"
  else
    cat "$BUILD/build.log"
    echo "FAIL build/all"
    return 1
  fi
}

# core_objects DIR CC FLAGS...: compiles each core source once, into DIR
# (two at a time), and prints the object files; every test of a part links
# the same objects instead of compiling the whole core again.
core_objects() {
  local dir=$1 cc=$2 src
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  for src in $(core_sources); do printf '%s\n' "$src"; done |
    DIR=$dir CCX=$cc xargs -P 2 -I{} sh -c 'src=$1; shift; exec $CCX "$@" -c -o "$DIR/$(echo "$src" | tr / _).o" "$src"' \
      sh {} "$@" >&2 || return 1
  ls "$dir"/*.o
}

# core_tests PREFIX EXTRA_CFLAGS: compiles and runs every tests/core/test_*.c.
core_tests() {
  local prefix=$1 flags=$2 t bin rc=0 objs
  mkdir -p "$BUILD/$prefix"
  # shellcheck disable=SC2086
  if ! objs=$(core_objects "$BUILD/$prefix/objs" cc $CFLAGS_TEST $flags); then
    echo "FAIL $prefix/core does not compile"
    return 1
  fi
  for t in tests/core/test_*.c; do
    [ -e "$t" ] || continue
    bin=$BUILD/$prefix/$(basename "$t" .c)
    # shellcheck disable=SC2086
    if ! cc $CFLAGS_TEST $flags -o "$bin" $objs "$t" -lzstd -lcrypto -lm; then
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

# pg_version V: the PostgreSQL suite on version V, on the host when it has
# that server, else in that version's chroot (made first if missing).
pg_version() {
  local v=$1
  if [ -x "/usr/lib/postgresql/$v/bin/postgres" ] && [ -x "/usr/lib/postgresql/$v/bin/pg_config" ]; then
    DBK_PG_VERSION=$v tests/pg/run.sh 2>&1 |
      sed -u -E "s#^(PASS|FAIL|TIME) pg/#\\1 pg$v/#; t; s#^(PASS|FAIL) #\\1 pg$v/#"
    return "${PIPESTATUS[0]}"
  fi
  tests/pg/chroot.sh "$v"
}

# The host's version, and the versions of PG_VERSIONS newer than it: backups
# of the host's restored on the newer ones, and refused the other way
# (tests/pg/cross_version.sh; DBK_PG_ONLY=cross runs only it).
HOST_PG=$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
cross_versions() {
  local v newer=""
  [[ " $PG_VERSIONS " == *" $HOST_PG "* ]] || return 0
  [ -z "${DBK_PG_ONLY:-}" ] || [[ " $DBK_PG_ONLY " == *" cross "* ]] || return 0
  for v in $PG_VERSIONS; do
    [ "$v" = "$HOST_PG" ] || [ "$v" -lt "${HOST_PG:-0}" ] || newer="$newer $v"
  done
  echo $newer
}
cross_tests() { tests/pg/cross_version.sh "$@"; }
# cross_step STEP ARGS...: one step of it (backups, restore or refuse)
cross_step() { tests/pg/cross_version.sh "$@"; }

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
  local f name bin corpus objs
  if ! objs=$(core_objects "$BUILD/fuzz/objs" clang -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror); then
    echo "FAIL fuzz/core does not compile"
    return 1
  fi
  for f in tests/fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .c)
    bin=$BUILD/fuzz/$name
    corpus=$BUILD/fuzz/corpus-$name
    mkdir -p "$corpus"
    if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c11 \
          -D_GNU_SOURCE -Wall -Wextra -Werror -o "$bin" $objs "$f" -lzstd -lcrypto; then
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

run_total() {
  if wanted build; then run_part build build_all; fi
  if grep -q '^FAIL build/' "$RESULTS"; then
    echo "the build failed; no tests ran"
    return 1
  fi
  # Independent parts run at once (DBK_SERIAL=1: one after the other): the
  # host's CPU-bound parts in one lane, beside each PostgreSQL version's suite
  # (each with its own install lock, chroot and ports; a missing chroot is
  # made meanwhile).  The cross-version test runs in three steps that fit
  # around the suites, each of which holds its version's lock throughout:
  # the host's backups first in the host's lane (a minute or two, before
  # its suite takes the host's lock), their restore on a newer version in
  # that version's lane after its suite, and the refusal of the newer
  # backups on the host once every lane has ended.
  local pg_pids=() host_pid="" v newer xv=""
  host_lane() {
    if wanted core; then run_part core core_tests core ""; fi
    if wanted sqlite; then run_part sqlite sqlite_tests "$ROOT/sqlite_ext/dbkeeper"; fi
    if wanted sanitize; then run_part sanitize sanitize_tests; fi
    return 0
  }
  if [ "$SERIAL" = 1 ]; then
    host_lane
  else
    host_lane &
    host_pid=$!
  fi
  if wanted pg; then
    newer=$(cross_versions)
    if [ -n "$newer" ] && [ "$SERIAL" != 1 ]; then xv=$(mktemp -d "$BUILD/cross.XXXXXX"); fi
    pg_lane() {
      if [ -n "$xv" ] && [ "$1" = "$HOST_PG" ]; then
        run_part cross-backups cross_step backups "$xv"
        [ -f "$xv/ready" ] || : >"$xv/failed"
      fi
      run_part "pg$1" pg_version "$1"
      if [ -n "$xv" ] && [[ " $newer " == *" $1 "* ]]; then
        run_part "pg$HOST_PG-to-$1" cross_step restore "$1" "$xv"
      fi
      return 0
    }
    for v in $PG_VERSIONS; do
      if [ "$SERIAL" = 1 ]; then
        pg_lane "$v"
      else
        pg_lane "$v" &
        pg_pids+=($!)
      fi
    done
    [ ${#pg_pids[@]} -eq 0 ] || wait "${pg_pids[@]}"
    if [ -n "$xv" ]; then
      [ ! -f "$xv/ready" ] || run_part cross-refuse cross_step refuse "$xv" $newer
      rm -rf "$xv"
    elif [ -n "$newer" ]; then
      run_part "pg$HOST_PG-to-${newer// /-}" cross_tests $newer
    fi
  fi
  [ -z "$host_pid" ] || wait "$host_pid"
  return 0
}

# heartbeat: every 5 minutes, the parts still running, for a CI log that
# would otherwise stay silent until the first part ends.
heartbeat() {
  local t0=$SECONDS next=300 running
  while :; do
    # Short sleeps, away from the terminal: a sleep left over when the
    # heartbeat is killed holds no pipe open and ends soon.
    sleep 10 </dev/null >/dev/null 2>&1
    [ $((SECONDS - t0)) -ge $next ] || continue
    next=$((next + 300))
    running=$(cd "$BUILD" && ls part-*.running 2>/dev/null | sed 's/^part-//; s/\.running$//' | tr '\n' ' ')
    [ -n "$running" ] && echo "still running after $(( (SECONDS - t0) / 60 )) min: $running"
  done
}

rm -f "$BUILD"/part-*.running "$BUILD"/part-*.log
if [ "$SERIAL" != 1 ]; then heartbeat & heartbeat_pid=$!; fi
rm -f "$BUILD/total.time"
TIMED_TO=$BUILD/total.time timed total run_total
[ "$SERIAL" = 1 ] || kill "$heartbeat_pid" 2>/dev/null

passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
if [ "$failed" -gt 0 ]; then
  echo
  echo "Failures:"
  grep '^FAIL ' "$RESULTS"
fi
# How long each part took, and how many parts ran at once on average (the sum
# of the parts' wall times over the whole run's).
echo
echo "Times (wall, and CPU of every process each part started):"
grep -h '^TIME part/' "$RESULTS" | sed 's/^TIME part\//  /'
total=$(cat "$BUILD/total.time")
echo "  ${total#TIME }"
grep -h '^TIME part/' "$RESULTS" | awk -v t="$(echo "$total" | awk '{ print $3 }')" \
  '{ sum += $3 } END { if (t > 0) printf "  parts running at once: %.1f on average; load average now: ", sum / t }'
cut -d' ' -f1-3 /proc/loadavg
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
