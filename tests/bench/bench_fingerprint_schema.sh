#!/usr/bin/env bash
# tests/bench/bench_fingerprint_schema.sh — where the time of a new session's
# SELECT dbkeeper_fingerprint() goes on the schema-heavy database
# (tests/bench/gen_schema_heavy.sql: 300 tables, 500 functions, 450 triggers,
# 100 views by default, as bench_pg_datasets.sh; DBK_BENCH_TABLES,
# _FUNCTIONS, _TRIGGERS, _VIEWS), against pg_dump -s | sha256sum.
#
# Counted in CPU time, which the load of a shared machine does not inflate
# as it does wall time (wall times are printed too):
#   pg_dump -s | sha256sum   pg_dump's and sha256sum's user and system time,
#                            plus its backend's (the postmaster's reaped
#                            children's time; autovacuum is off);
#   psql -c 'SELECT 1'       the same for a session that does nothing: the
#                            floor of any new session, client included;
#   fingerprint, whole       psql -c 'SELECT dbkeeper_fingerprint()' counted
#                            the same way (what bench_pg_datasets.sh times);
#   each also split into the client programs' time and the backend's (10 ms
#   ticks);
# and, inside one new session, the backend's own CPU by
# /proc/<pid>/schedstat: its start (fork, authentication, the first query),
# LOAD 'dbkeeper' when it is not preloaded (DBK_BENCH_PRELOAD=0), the first
# call with the DEBUG1 steps of the description (schema.c), and a second,
# warm call.  DBK_BENCH_ROUNDS rounds (default 5), medians.  The server runs
# from a private copy of PostgreSQL's directories into which this build is
# installed (pg_bench.sh), niced.  DBK_BENCH_PERF=1 adds a perf profile of
# ten new sessions' first calls (perf record on the postmaster, whose new
# backends inherit it): the share of the samples under the functions that
# say where a cold call goes (DBK_BENCH_PERF_KEEP=FILE keeps perf.data).
# DBK_BENCH_EXPLAIN=FILE writes the plans of one new session's queries there.
# Prints Markdown; never asserts.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROUNDS=${DBK_BENCH_ROUNDS:-5}
. tests/bench/pg_bench.sh
bench_cluster_init fpschema
renice -n 10 -p $$ >/dev/null
bench_private_install
bench_cluster_start
bench_fingerprint_server

createdb bench
psql -X -q -d bench -v tables="${DBK_BENCH_TABLES:-300}" -v functions="${DBK_BENCH_FUNCTIONS:-500}" \
  -v triggers="${DBK_BENCH_TRIGGERS:-450}" -v views="${DBK_BENCH_VIEWS:-100}" \
  -f tests/bench/gen_schema_heavy.sql >/dev/null || { echo "loading the schema failed" >&2; exit 1; }
psql -X -q -d bench -c "CREATE EXTENSION dbkeeper" -c "VACUUM ANALYZE" >/dev/null
rows=$(psql -X -qAt -d bench -c "SELECT count(*) FROM dbkeeper_schema()")
fp=$(psql -X -qAt -d bench -c "SELECT dbkeeper_fingerprint()")

# the postmaster's children: a backend's time is added to the postmaster's
# reaped children's time only once it has been reaped
children() { ps -o pid= --ppid "$PM" | wc -l; }
reaped() { awk -v hz="$HZ" '{ i = index($0, ") "); split(substr($0, i + 2), x, " "); print (x[14] + x[15]) / hz }' "/proc/$PM/stat"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { printf "-"; exit } printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# whole NAME CMD: CMD's wall time and CPU time (its processes' and its
# backend's), appended to $WORK/NAME.wall and $WORK/NAME.cpu
whole() {
  local name=$1 n0 k0 k1 c t0 t1
  shift
  n0=$(children); k0=$(reaped)
  t0=$(date +%s.%N)
  c=$( { /usr/bin/time -f '%U %S' bash -c "$* >/dev/null"; } 2>&1 | awk 'NF == 2 { print $1 + $2 }')
  t1=$(date +%s.%N)
  for _ in $(seq 1 500); do [ "$(children)" -le "$n0" ] && break; sleep 0.01; done
  k1=$(reaped)
  echo "$t1 - $t0" | bc -l >>"$WORK/$name.wall"
  awk -v c="$c" -v a="$k0" -v b="$k1" 'BEGIN { print c + b - a }' >>"$WORK/$name.cpu"
  echo "$c" >>"$WORK/$name.client"
  awk -v a="$k0" -v b="$k1" 'BEGIN { print b - a }' >>"$WORK/$name.backend"
}

load=""
[ "${DBK_BENCH_PRELOAD:-1}" = 0 ] && load="LOAD 'dbkeeper';"
for _ in $(seq 1 "$ROUNDS"); do
  whole dump "pg_dump -s -d bench | sha256sum"
  whole select1 "psql -X -At -d bench -c 'SELECT 1'"
  whole fingerprint "psql -X -At -d bench -c 'SELECT dbkeeper_fingerprint()'"
  # one new session, its backend's CPU at each point (ns), and the steps
  out=$(psql -X -qAt -d bench -v ON_ERROR_STOP=1 2>&1 <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv DBK_PID :pid
\! awk '{ print "s0", \$1 }' /proc/\$DBK_PID/schedstat
$load
\! awk '{ print "s1", \$1 }' /proc/\$DBK_PID/schedstat
SET client_min_messages = debug1;
\! echo first
SELECT length(dbkeeper_fingerprint());
\! awk '{ print "s2", \$1 }' /proc/\$DBK_PID/schedstat
\! echo warm
SELECT length(dbkeeper_fingerprint());
\! awk '{ print "s3", \$1 }' /proc/\$DBK_PID/schedstat
SQL
)
  echo "$out" | awk '$1 == "s0" { print $2 / 1e9 }' >>"$WORK/start.cpu"
  echo "$out" | awk '$1 == "s0" { a = $2 } $1 == "s1" { print ($2 - a) / 1e9 }' >>"$WORK/load.cpu"
  echo "$out" | awk '$1 == "s1" { a = $2 } $1 == "s2" { print ($2 - a) / 1e9 }' >>"$WORK/first.cpu"
  echo "$out" | awk '$1 == "s2" { a = $2 } $1 == "s3" { print ($2 - a) / 1e9 }' >>"$WORK/warm.cpu"
  # DEBUG1 steps: "schema description: WHAT: W ms (C ms CPU), N rows"
  echo "$out" | awk '/^first$/ { p = "first" } /^warm$/ { p = "warm" }
    /schema description: / { s = $0; sub(/.*schema description: /, "", s); w = s; sub(/: [0-9.]+ ms \(.*/, "", w)
      c = s; sub(/.* ms \(/, "", c); sub(/ ms CPU.*/, "", c); print p "\t" w "\t" c }' >>"$WORK/steps"
done

m() { median <"$WORK/$1"; }
d=$(m dump.cpu)
echo "Schema-heavy database ($rows rows in the description, fingerprint ${fp:0:16}…), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg),"
echo "dbkeeper $([ "${DBK_BENCH_PRELOAD:-1}" = 0 ] && echo "not preloaded" || echo "preloaded"), $(date -u +%Y-%m-%d), medians of $ROUNDS rounds."
echo
echo "| what | CPU | of it: client programs | of it: backend | wall | pg_dump -s \\| sha256sum CPU / this |"
echo "|---|---:|---:|---:|---:|---:|"
for k in dump:"pg_dump -s \\| sha256sum" select1:"psql -c 'SELECT 1' (new session, client included)" \
         fingerprint:"psql -c 'SELECT dbkeeper_fingerprint()' (new session, client included)"; do
  f=${k%%:*}
  awk -v w="${k#*:}" -v c="$(m "$f.cpu")" -v cl="$(m "$f.client")" -v b="$(m "$f.backend")" -v t="$(m "$f.wall")" -v d="$d" \
    'BEGIN { printf "| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.1fx |\n", w, c, cl, b, t, d / c }'
done
echo
echo "Inside one new session (the backend's CPU, /proc/<pid>/schedstat):"
echo
echo "| step | CPU |"
echo "|---|---:|"
printf '| backend start and its first query | %.1f ms |\n' "$(echo "$(m start.cpu) * 1000" | bc -l)"
[ -n "$load" ] && printf "| LOAD 'dbkeeper' | %.1f ms |\n" "$(echo "$(m load.cpu) * 1000" | bc -l)"
printf '| first SELECT dbkeeper_fingerprint() | %.1f ms |\n' "$(echo "$(m first.cpu) * 1000" | bc -l)"
printf '| second call, same session | %.1f ms |\n' "$(echo "$(m warm.cpu) * 1000" | bc -l)"
echo
echo "The description's DEBUG1 steps (CPU ms, medians; first call / warm call):"
echo
echo "| step | first | warm |"
echo "|---|---:|---:|"
awk -F'\t' '{ k = $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k } v[$1, k] = v[$1, k] " " $3 }
  END { for (i = 1; i <= n; i++) print order[i] "\t" v["first", order[i]] "\t" v["warm", order[i]] }' "$WORK/steps" |
  while IFS=$'\t' read -r step first warm; do
    printf '| %s | %s | %s |\n' "$step" "$(echo "$first" | tr ' ' '\n' | grep . | median)" \
      "$(echo "$warm" | tr ' ' '\n' | grep . | median)"
  done

# DBK_BENCH_EXPLAIN=FILE: the plans of the queries one new session's call runs
# (auto_explain, with their execution times), copied from the server's log to FILE
if [ -n "${DBK_BENCH_EXPLAIN:-}" ]; then
  from=$(stat -c %s "$WORK/log")
  psql -X -q -At -d bench -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
    -c "SET auto_explain.log_analyze = on" -c "SET auto_explain.log_nested_statements = on" \
    -c "SELECT length(dbkeeper_fingerprint())" >/dev/null
  tail -c +"$((from + 1))" "$WORK/log" >"$DBK_BENCH_EXPLAIN"
fi

if [ "${DBK_BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
  perf record -q -F 2000 --call-graph dwarf,16384 -o "$WORK/perf.data" -p "$PM" >/dev/null 2>&1 &
  perfpid=$!
  sleep 1
  for _ in $(seq 1 10); do psql -X -At -d bench -c "$load SELECT length(dbkeeper_fingerprint())" >/dev/null; done
  kill -INT "$perfpid"; wait "$perfpid" 2>/dev/null
  echo
  echo "perf, ten new sessions' first calls: share of the backends' samples under each function (children included):"
  echo
  perf report -i "$WORK/perf.data" --children --stdio --no-demangle --no-inline -g none --percent-limit 0.2 \
    2>/dev/null >"$WORK/perf.txt"
  # the functions that say what kind of work it is (static ones are not named)
  awk 'BEGIN { print "| with callees | self | function |"; print "|---:|---:|---|"
               split("PostgresMain InitPostgres dbkeeper_fingerprint dbk_pg_describe_tables " \
                     "dbk_pg_describe_indexes dbk_pg_describe_constraints dbk_pg_probe_kinds " \
                     "SPI_execute_plan GetCachedPlan pg_plan_queries raw_parser parse_analyze_fixedparams " \
                     "transformExpr dbk_pg_settled_expr dbk_pg_settle_viewdef dbk_pg_viewdef pg_get_querydef " \
                     "pg_get_expr pg_get_viewdef pg_get_functiondef pg_get_triggerdef pg_get_constraintdef " \
                     "stringToNode RelationIdGetRelation SearchCatCacheList SearchSysCache1 SearchCatCache1 " \
                     "systable_getnext heap_page_prune_opt asm_exc_page_fault palloc hash_search_with_hash_value " \
                     "LockAcquireExtended proc_exit", want, " ")
               for (i in want) w[want[i]] = 1 }
         /^ +[0-9.]+% +[0-9.]+%/ && ($NF in w) && !seen[$NF]++ { printf "| %s | %s | %s |\n", $1, $2, $NF }' "$WORK/perf.txt"
  [ -n "${DBK_BENCH_PERF_KEEP:-}" ] && cp "$WORK/perf.data" "$DBK_BENCH_PERF_KEEP"
fi
exit 0
