#!/usr/bin/env bash
# tests/bench/bench_banner.sh — the cost of the login module: connection
# rate with pgbench -C -S (a new connection for every transaction) to a
# database with a banner, with dbkeeper_login in session_preload_libraries
# against the same database without it, and with passwordcheck (a library
# that does nothing at login) preloaded instead, to separate what loading
# any session library costs from what dbkeeper_login does.  Rounds alternate the two so that
# the noise of a shared machine falls on both.  Never fails on timings.
#
#   DBK_BENCH_SECONDS  duration of each run (default 10)
#   DBK_BENCH_ROUNDS   rounds (default 4)
set -u
cd "$(dirname "$0")/../.." || exit 1
SECONDS_EACH=${DBK_BENCH_SECONDS:-10}
ROUNDS=${DBK_BENCH_ROUNDS:-4}

if [ "${1:-}" != inner ]; then
  # The extension is installed into the server's directories: hold the lock
  # other checkouts use for the same purpose.
  exec 9>/tmp/dbkeeper-pg.lock
  flock 9
  make -s -C pg_ext install >/dev/null || { echo "installing the extension failed" >&2; exit 1; }
  exec pg_virtualenv -t -v 15 env DBK_BENCH_SECONDS="$SECONDS_EACH" DBK_BENCH_ROUNDS="$ROUNDS" \
    bash "$0" inner 2>/dev/null
fi

set -e
psql -X -q -c "CREATE DATABASE bench" postgres
pgbench -q -i -s 1 bench >/dev/null 2>&1
psql -X -q -d bench -c "CREATE EXTENSION dbkeeper" \
  -c "SELECT dbkeeper_banner_set('Server moves to the new rack on Friday')" >/dev/null
set +e

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# rate: connections per second of one run (one transaction per connection).
rate() {
  nice pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" bench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
# module on|off|floor: floor preloads passwordcheck, a library that does
# nothing at login, to show what loading any session library costs here.
module() {
  case $1 in
    on) psql -X -q -d bench -c "ALTER DATABASE bench SET session_preload_libraries = 'dbkeeper_login'" ;;
    floor) psql -X -q -d bench -c "ALTER DATABASE bench SET session_preload_libraries = 'passwordcheck'" ;;
    *) psql -X -q -d bench -c "ALTER DATABASE bench RESET session_preload_libraries" ;;
  esac
}

# The module must be working for the figures to mean anything.
module on
if ! psql -X -d bench -c "SELECT 1" 2>&1 | grep -q "NOTICE:  Server moves"; then
  echo "the login module did not show the banner; no benchmark" >&2
  exit 1
fi

echo "### Login with the dbkeeper_login module (pgbench -C -S, ${SECONDS_EACH} s per run, 2 clients)"
echo
echo "| round | without module (conn/s) | with module (conn/s) | ratio | with a do-nothing library, passwordcheck (conn/s) | its ratio |"
echo "|---|---|---|---|---|---|"
sum_off=0
sum_on=0
sum_floor=0
ratios=()
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then
    module off; off=$(rate); module on; on=$(rate); module floor; floor=$(rate)
  else
    module floor; floor=$(rate); module on; on=$(rate); module off; off=$(rate)
  fi
  sum_floor=$(calc "$sum_floor + ${floor:-0}")
  sum_off=$(calc "$sum_off + ${off:-0}")
  sum_on=$(calc "$sum_on + ${on:-0}")
  ratio=$(calc "${on:-0} / ${off:-1}")
  ratios+=("$ratio")
  printf '| %d | %.1f | %.1f | %.3f | %.1f | %.3f |\n' "$r" "${off:-0}" "${on:-0}" "$ratio" \
    "${floor:-0}" "$(calc "${floor:-0} / ${off:-1}")"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf '| **all** | **%.1f** | **%.1f** | **%.3f** | **%.1f** | **%.3f** |\n' "$(calc "$sum_off / $ROUNDS")" \
  "$(calc "$sum_on / $ROUNDS")" "$(calc "$sum_on / ($sum_off + 1e-9)")" \
  "$(calc "$sum_floor / $ROUNDS")" "$(calc "$sum_floor / ($sum_off + 1e-9)")"
printf '| **median ratio** | | | **%.3f** | | |\n' "$median"
echo
echo "Goal: with the module at least 95% of the rate without it (ratio >= 0.95)."
echo "The machine's load average when this ended: $(cut -d' ' -f1-3 /proc/loadavg)."
