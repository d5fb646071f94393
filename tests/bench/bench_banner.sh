#!/usr/bin/env bash
# tests/bench/bench_banner.sh — the cost of the login module: the connection
# rate of pgbench -C -S (a new connection for every one-query transaction)
# to a database with a banner set, in three configurations of that database:
#   without    session_preload_libraries empty
#   login      session_preload_libraries = 'dbkeeper_login'
#   floor      session_preload_libraries = 'passwordcheck', a library that
#              does nothing at login: what loading any library costs
#
# Two measures:
# - timed: connections per second over TCP with SCRAM-SHA-256 (how
#   applications connect; pg_virtualenv's default), then over the Unix
#   socket with trust authentication.  Many short rounds; in each round the
#   three configurations run back to back, each round in another of the six
#   orders (without-login-floor, floor-login-without, ...), so that the noise
#   of a shared machine falls on all three; medians are reported, and the
#   ratio is the median of the per-round ratios.
# - counted (when perf can count here): instructions executed per connection
#   by the server (the postmaster and every backend it forks, user and
#   kernel mode), over TCP.  These counts hardly move with the load of the
#   machine, so they show the cost even where the timings are noise.
#
# Prints Markdown ending with a README-ready table.  Never fails on timings.
#
#   DBK_BENCH_SECONDS  duration of each timed run (default 5)
#   DBK_BENCH_ROUNDS   rounds of each timed measure (default 8)
#   DBK_BENCH_COUNTED  connections per counted run (default 300)
set -u
cd "$(dirname "$0")/../.." || exit 1
SECONDS_EACH=${DBK_BENCH_SECONDS:-5}
ROUNDS=${DBK_BENCH_ROUNDS:-8}
COUNTED=${DBK_BENCH_COUNTED:-300}

if [ "${1:-}" != inner ]; then
  # The extension is installed into the server's directories: hold the lock
  # other checkouts use for the same purpose.
  exec 9>/tmp/dbkeeper-pg.lock
  flock 9
  make -s -C pg_ext install >/dev/null || { echo "installing the extension failed" >&2; exit 1; }
  exec pg_virtualenv -t -v 15 env DBK_BENCH_SECONDS="$SECONDS_EACH" DBK_BENCH_ROUNDS="$ROUNDS" \
    DBK_BENCH_COUNTED="$COUNTED" bash "$0" inner 2>/dev/null
fi

# ---- inside the throwaway cluster (PGHOST=localhost, PGPORT, PGUSER set) ----
set -e
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# The Unix-socket row: trust for local connections of this throwaway cluster.
hba=$(psql -X -At -c "SHOW hba_file")
sed -i '1i local all all trust' "$hba"
psql -X -q -At -c "SELECT pg_reload_conf()" >/dev/null
SOCKET_DIR=$(psql -X -At -c "SHOW unix_socket_directories" | cut -d, -f1)
psql -X -q -c "CREATE DATABASE bench" postgres
pgbench -q -i -s 1 bench >/dev/null 2>&1
psql -X -q -d bench -c "CREATE EXTENSION dbkeeper" \
  -c "SELECT dbkeeper_banner_set('Server moves to the new rack on Friday')" >/dev/null
PM_PID=$(head -1 "$(psql -X -At -c "SHOW data_directory")/postmaster.pid")
set +e

CONFIGS=(without login floor)
# Every order of the three, one per round in turn.
ORDERS=("without login floor" "floor login without" "login floor without"
        "without floor login" "floor without login" "login without floor")
# configure NAME: what new connections to bench preload.
configure() {
  case $1 in
    login) psql -X -q -d bench -c "ALTER DATABASE bench SET session_preload_libraries = 'dbkeeper_login'" ;;
    floor) psql -X -q -d bench -c "ALTER DATABASE bench SET session_preload_libraries = 'passwordcheck'" ;;
    *) psql -X -q -d bench -c "ALTER DATABASE bench RESET session_preload_libraries" ;;
  esac
}
# rate HOST: connections per second of one timed run (2 clients, 2 cores).
rate() {
  PGHOST=$1 pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" bench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'; }

# The module must be working for the figures to mean anything.
configure login
if ! PGHOST=localhost psql -X -d bench -c "SELECT 1" 2>&1 | grep -q "NOTICE:  Server moves"; then
  echo "the login module did not show the banner; no benchmark" >&2
  exit 1
fi

# timed HOST LABEL: the rounds; leaves medians in MED_<config> and the
# median ratios to without in RATIO_login and RATIO_floor.
timed() {
  local host=$1 label=$2 r c order
  declare -A got
  local -a all_without=() all_login=() all_floor=() ratio_login=() ratio_floor=()
  echo "#### $label: connections per second, ${SECONDS_EACH} s per run"
  echo
  echo "| round | order | without | dbkeeper_login | passwordcheck | login / without | passwordcheck / without | load |"
  echo "|---|---|---|---|---|---|---|---|"
  for r in $(seq 1 "$ROUNDS"); do
    order=${ORDERS[$(((r - 1) % ${#ORDERS[@]}))]}
    for c in $order; do
      configure "$c"
      got[$c]=$(rate "$host")
      got[$c]=${got[$c]:-0}
    done
    all_without+=("${got[without]}"); all_login+=("${got[login]}"); all_floor+=("${got[floor]}")
    ratio_login+=("$(div "${got[login]}" "${got[without]}")")
    ratio_floor+=("$(div "${got[floor]}" "${got[without]}")")
    printf '| %d | %s | %.1f | %.1f | %.1f | %s | %s | %s |\n' "$r" "$order" "${got[without]}" \
      "${got[login]}" "${got[floor]}" "${ratio_login[-1]}" "${ratio_floor[-1]}" \
      "$(cut -d' ' -f1 /proc/loadavg)"
  done
  MED_without=$(printf '%s\n' "${all_without[@]}" | median)
  MED_login=$(printf '%s\n' "${all_login[@]}" | median)
  MED_floor=$(printf '%s\n' "${all_floor[@]}" | median)
  RATIO_login=$(printf '%s\n' "${ratio_login[@]}" | median)
  RATIO_floor=$(printf '%s\n' "${ratio_floor[@]}" | median)
  printf '| **median** | | **%.1f** | **%.1f** | **%.1f** | **%.3f** | **%.3f** | |\n' \
    "$MED_without" "$MED_login" "$MED_floor" "$RATIO_login" "$RATIO_floor"
  echo
}

echo "### Login with the dbkeeper_login module (pgbench -C -S, 2 clients, $(nproc) cores)"
echo
timed localhost "TCP with SCRAM-SHA-256"
TCP=("$MED_without" "$MED_login" "$MED_floor" "$RATIO_login" "$RATIO_floor")
timed "$SOCKET_DIR" "Unix socket, trust"
UNIX=("$MED_without" "$MED_login" "$MED_floor" "$RATIO_login" "$RATIO_floor")

# counted HOST CONFIG: "server client", the instructions (user + kernel)
# executed per connection by the server (the postmaster and every process
# it forks) and by the client (pgbench and libpq); empty when perf cannot
# count here.
counted() {
  local srv cli
  configure "$2"
  srv=$(mktemp); cli=$(mktemp)
  perf stat -x, -e instructions:u,instructions:k -p "$PM_PID" -o "$srv" -- \
    perf stat -x, -e instructions:u,instructions:k -o "$cli" -- \
    env PGHOST="$1" pgbench -n -C -S -c 1 -j 1 -t "$COUNTED" bench >/dev/null 2>&1
  per_connection() {
    awk -F, -v n="$COUNTED" '$3 ~ /^instructions/ && $1 ~ /^[0-9]+$/ { s += $1; k++ }
      END { if (k == 2) printf "%.0f", s / n }' "$1"
  }
  printf '%s %s\n' "$(per_connection "$srv")" "$(per_connection "$cli")"
  rm -f "$srv" "$cli"
}
# counted_min HOST CONFIG: the lower of two counts (a count can only be
# raised by something else the server did meanwhile: autovacuum, a
# checkpoint), as "server client".
counted_min() {
  { counted "$1" "$2"; counted "$1" "$2"; } | awk 'NF == 2' | sort -g | head -1
}
# insn_rows HOST LABEL: the counted rows of the summary for one connection method.
insn_rows() {
  local c w l f
  w=$(counted_min "$1" without); l=$(counted_min "$1" login); f=$(counted_min "$1" floor)
  if [ -z "$w" ] || [ -z "$l" ] || [ -z "$f" ]; then
    echo "| instructions per connection, $2 | (perf could not count here) | | |"
    return
  fi
  set -- $w $l $f "$2"
  printf '| server instructions per connection, %s | %.2f M | %.2f M | %.2f M |\n' "$7" \
    "$(div "$1" 1000000)" "$(div "$3" 1000000)" "$(div "$5" 1000000)"
  printf '| client instructions per connection, %s | %.2f M | %.2f M | %.2f M |\n' "$7" \
    "$(div "$2" 1000000)" "$(div "$4" 1000000)" "$(div "$6" 1000000)"
  printf '| rate these counts predict, %s: (server + client) without / with | 1 | %s | %s |\n' "$7" \
    "$(div $(($1 + $2)) $(($3 + $4)))" "$(div $(($1 + $2)) $(($5 + $6)))"
}
INSN_ROWS=""
if perf stat -e instructions:u true >/dev/null 2>&1; then
  INSN_ROWS=$(insn_rows localhost "TCP with SCRAM"; insn_rows "$SOCKET_DIR" "Unix socket")
else
  INSN_ROWS="| instructions per connection | (perf could not count here) | | |"
fi

echo "### Summary (README-ready)"
echo
echo "| | without | with dbkeeper_login | with a do-nothing library (passwordcheck) |"
echo "|---|---|---|---|"
printf '| connections/s, TCP with SCRAM (median of %d rounds of %d s) | %.1f | %.1f | %.1f |\n' \
  "$ROUNDS" "$SECONDS_EACH" "${TCP[0]}" "${TCP[1]}" "${TCP[2]}"
printf '| ratio to without (median of the rounds'"'"' ratios) | 1 | **%.3f** | %.3f |\n' "${TCP[3]}" "${TCP[4]}"
printf '| connections/s, Unix socket with trust | %.1f | %.1f | %.1f |\n' "${UNIX[0]}" "${UNIX[1]}" "${UNIX[2]}"
printf '| ratio to without | 1 | %.3f | %.3f |\n' "${UNIX[3]}" "${UNIX[4]}"
printf '%s\n' "$INSN_ROWS"
echo
echo "Goal: with the module at least 95% of the connection rate without it (ratio >= 0.95)."
echo "Conditions: PostgreSQL $(psql -X -At -c 'SHOW server_version' | cut -d' ' -f1), $(nproc) cores;" \
  "load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
