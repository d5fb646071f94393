#!/usr/bin/env bash
# tests/bench/bench_codelist.sh — codelist regeneration on a SNOMED CT-sized
# hierarchy, on SQLite and PostgreSQL (README "Performance").
#
# Data: tests/bench/gen_hierarchy.c, deterministic: release A (360,000
# codes, about 610,000 is-a edges, depth up to 30, half the codes with
# several parents, 30 ancestors per code on average) and release B (3,000
# new codes, 500 removed, 1,000 moved); a codelist of 50 explicit rules and
# 5 searches (3 terms, 2 codes) whose version against A has about 20,000
# codes.  Each release lives in its own database (SQLite: an attached file,
# as OpenCodelists keeps them; PostgreSQL: a schema) with indexes on
# edges(parent) and edges(code), and once more without any index.
#
# Measured, each the median of DBK_BENCH_RUNS (default 5) runs in one
# session, wall-clock time and the CPU time of the process doing the work
# (the machine may be shared; CPU time shows what the work costs):
#   regeneration    SELECT dbkeeper_codelist_new_draft(version, author, 'snomed_b')
#                   end to end: reading the release, the five steps, writing the draft
#   status          SELECT status, count(*) FROM dbkeeper_codelist_status(version) GROUP BY status
#                   cold: the first call on a fresh connection (it reads the whole
#                   release and caches it: README "How it works"); warm: the calls
#                   after it on the same connection; without the cache: as before
#                   it, walking down from the rules (index) or reading every edge
#                   (no index).  SQLite turns the cache off with
#                   DBKEEPER_CODELIST_CACHE=off; PostgreSQL caches a table only
#                   while all its pages are all-visible, so one updated row (one
#                   page no longer all-visible) turns it off until the next VACUUM.
#   CTE, rules down the same statuses from a recursive CTE that walks down from the
#                   explicit codes through the index on parent (cte_sql: the fast way to
#                   write it); on PostgreSQL also with jit = off
#   CTE, codes up   the same from a CTE that walks up from every code of the
#                   codelist (the rule read literally), one run
# Both CTEs are checked first against README's status-rule example; the fast one then
# against the function on the whole codelist (EXCEPT both ways: no row may
# differ).  The ratios compare the function with the fastest CTE.
#
# DBK_BENCH_CODES=N makes a smaller hierarchy (for a quick try).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/build/bench/codelist
RUNS=${DBK_BENCH_RUNS:-5}
CODES=${DBK_BENCH_CODES:-360000}
mkdir -p "$OUT"
rm -f "$OUT"/*.csv

cc -O2 -o "$OUT/gen_hierarchy" tests/bench/gen_hierarchy.c
"$OUT/gen_hierarchy" "$OUT" "$CODES" 2> "$OUT/gen.log"
n_edges_a=$(wc -l < "$OUT/edges_a.csv")
n_terms_a=$(wc -l < "$OUT/terms_a.csv")
mean_ancestors=$(sed -n 's/.*mean \([0-9.]*\) ancestors.*/\1/p' "$OUT/gen.log")

# cte_sql VERSION EDGES: code, status of the version's codes by the rule of
# README "The status rule", in SQL that runs on both engines.  below holds every (ruled
# code, descendant) pair, walking down from the explicit codes by the index
# on parent; a ruled ancestor of a code is dominated when another ruled
# ancestor of the code lies below it, which below itself tells; the others
# are significant.  (Dominated is subtracted with EXCEPT: as an anti-join
# PostgreSQL misjudges its size by nine orders of magnitude.)
cte_sql() {
  cat <<EOF
WITH RECURSIVE
  vc(code, status) AS MATERIALIZED (
    SELECT code, status FROM dbkeeper_codelist_code WHERE version = '$1'),
  rules(code, sign) AS MATERIALIZED (
    SELECT code, status FROM vc WHERE status IN ('+', '-')),
  below(rule, code) AS (
    SELECT e.parent, e.code FROM $2 e JOIN rules r ON r.code = e.parent
    UNION
    SELECT b.rule, e.code FROM below b JOIN $2 e ON e.parent = b.code),
  dominated(code, rule) AS (
    SELECT x.code, x.rule FROM below x
      JOIN below y ON y.code = x.code AND y.rule <> x.rule
      JOIN below between_ ON between_.code = y.rule AND between_.rule = x.rule),
  significant(code, rule) AS (
    SELECT code, rule FROM below EXCEPT SELECT code, rule FROM dominated),
  summary(code, inc, exc) AS (
    SELECT s.code, max(CASE WHEN r.sign = '+' THEN 1 ELSE 0 END),
           max(CASE WHEN r.sign = '-' THEN 1 ELSE 0 END)
      FROM significant s JOIN rules r ON r.code = s.rule
     GROUP BY s.code)
SELECT vc.code,
       CASE WHEN vc.status IN ('+', '-') THEN vc.status
            WHEN s.inc = 1 AND s.exc = 1 THEN '!'
            WHEN s.inc = 1 THEN '(+)'
            WHEN s.exc = 1 THEN '(-)'
            ELSE '?' END AS status
  FROM vc LEFT JOIN summary s ON s.code = vc.code
EOF
}

# cte_up_sql VERSION EDGES: the same statuses walking up from every code of
# the version (anc: every code and its ancestors, by the index on code).
cte_up_sql() {
  cat <<EOF
WITH RECURSIVE
  vc(code, status) AS MATERIALIZED (
    SELECT code, status FROM dbkeeper_codelist_code WHERE version = '$1'),
  anc(code, ancestor) AS (
    SELECT e.code, e.parent FROM $2 e JOIN vc ON vc.code = e.code
    UNION
    SELECT a.code, e.parent FROM anc a JOIN $2 e ON e.code = a.ancestor),
  ruled(code, rule, sign) AS MATERIALIZED (
    SELECT a.code, a.ancestor, vc.status FROM anc a JOIN vc ON vc.code = a.ancestor
     WHERE vc.status IN ('+', '-')),
  dominated(code, rule) AS (
    SELECT x.code, x.rule FROM ruled x
      JOIN ruled y ON y.code = x.code AND y.rule <> x.rule
      JOIN ruled between_ ON between_.code = y.rule AND between_.rule = x.rule),
  significant(code, rule) AS (
    SELECT code, rule FROM ruled EXCEPT SELECT code, rule FROM dominated),
  summary(code, inc, exc) AS (
    SELECT s.code, max(CASE WHEN r.status = '+' THEN 1 ELSE 0 END),
           max(CASE WHEN r.status = '-' THEN 1 ELSE 0 END)
      FROM significant s JOIN vc r ON r.code = s.rule
     GROUP BY s.code)
SELECT vc.code,
       CASE WHEN vc.status IN ('+', '-') THEN vc.status
            WHEN s.inc = 1 AND s.exc = 1 THEN '!'
            WHEN s.inc = 1 THEN '(+)'
            WHEN s.exc = 1 THEN '(-)'
            ELSE '?' END AS status
  FROM vc LEFT JOIN summary s ON s.code = vc.code
EOF
}

# README's status-rule example, to check the CTEs against on each engine.
example_sql() {
  cat <<'EOF'
CREATE TABLE ex_edges (code text, parent text);
CREATE TABLE ex_terms (code text, term text);
INSERT INTO ex_edges VALUES ('b','a'),('c','a'),('d','b'),('e','b'),('e','c'),('f','c'),
  ('g','d'),('h','d'),('h','e'),('i','e'),('i','f'),('j','f');
INSERT INTO dbkeeper_codelist_release VALUES ('ex', 'example', '2024-01-01', 'ex_edges', 'ex_terms');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('ex_v1', 'ex', 'ex', 'published');
INSERT INTO dbkeeper_codelist_code VALUES ('ex_v1','a','?'),('ex_v1','b','+'),('ex_v1','c','-'),
  ('ex_v1','d','?'),('ex_v1','e','?'),('ex_v1','f','?'),('ex_v1','g','?'),('ex_v1','h','?'),
  ('ex_v1','i','?'),('ex_v1','j','?');
EOF
}
EXAMPLE_WANT="a ? b + c - d (+) e ! f (-) g (+) h ! i ! j (-)"

# The codelist: rules and searches, its version against release A, and a
# copy of that version against the same release without indexes.
setup_codelist_sql() {
  cat <<EOF
INSERT INTO dbkeeper_codelist_release VALUES
  ('snomed_a', 'snomedct', '2024-01-01', 'snomed_a.edges', 'snomed_a.terms'),
  ('snomed_b', 'snomedct', '2024-07-01', 'snomed_b.edges', 'snomed_b.terms'),
  ('snomed_a_noindex', 'snomedct', '2024-01-01', 'snomed_a_noindex.edges', 'snomed_a_noindex.terms'),
  ('snomed_b_noindex', 'snomedct', '2024-07-01', 'snomed_b_noindex.edges', 'snomed_b_noindex.terms');
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES ('rules', 'bench', 'snomed_a', 'published');
INSERT INTO dbkeeper_codelist_code SELECT 'rules', code, status FROM bench_rules;
INSERT INTO dbkeeper_codelist_search SELECT 'rules', NULLIF(term, ''), NULLIF(code, '') FROM bench_searches;
SELECT dbkeeper_codelist_new_draft('rules', 'setup', 'snomed_a');
UPDATE dbkeeper_codelist_version SET status = 'published' WHERE id = 'bench@snomed_a';
INSERT INTO dbkeeper_codelist_version (id, codelist, release, status)
  VALUES ('bench-noindex', 'bench', 'snomed_a_noindex', 'published');
INSERT INTO dbkeeper_codelist_code SELECT 'bench-noindex', code, status FROM dbkeeper_codelist_code
  WHERE version = 'bench@snomed_a';
EOF
}

STATUS_SQL="SELECT status, count(*) FROM dbkeeper_codelist_status('bench@snomed_a') GROUP BY status"
STATUS_NOINDEX_SQL="SELECT status, count(*) FROM dbkeeper_codelist_status('bench-noindex') GROUP BY status"

# The timed statements of one session: NAME<TAB>SQL<TAB>RUNS.  status_warm
# follows a first, untimed call (warmup).
timed_statements() {
  local v=bench@snomed_a
  printf '%s\t%s\t%s\n' \
    regen "SELECT dbkeeper_codelist_new_draft('$v', 'bench', 'snomed_b')" "$RUNS" \
    regen_noindex "SELECT dbkeeper_codelist_new_draft('$v', 'bench', 'snomed_b_noindex')" "$RUNS" \
    warmup "$STATUS_SQL" 1 \
    status_warm "$STATUS_SQL" "$RUNS" \
    cte "SELECT status, count(*) FROM ($(cte_sql "$v" snomed_a.edges | tr '\n' ' ')) x GROUP BY status" "$RUNS" \
    cte_up "SELECT status, count(*) FROM ($(cte_up_sql "$v" snomed_a.edges | tr '\n' ' ')) x GROUP BY status" 1
}

# The statuses without the cache, in a session of their own.
uncached_statements() {
  printf '%s\t%s\t%s\n' status "$STATUS_SQL" "$RUNS" status_noindex "$STATUS_NOINDEX_SQL" "$RUNS"
}

# median FILE COLUMN: the median of a column of numbers.
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# ---------------------------------------------------------------- SQLite
SQ=$OUT/sqlite
mkdir -p "$SQ"
rm -f "$SQ"/*.db
for r in a b; do
  for suffix in "" _noindex; do
    {
      echo "CREATE TABLE edges (code text, parent text);"
      echo "CREATE TABLE terms (code text, term text);"
      echo ".import --csv $OUT/edges_$r.csv edges"
      echo ".import --csv $OUT/terms_$r.csv terms"
      if [ -z "$suffix" ]; then
        echo "CREATE INDEX edges_code ON edges (code);"
        echo "CREATE INDEX edges_parent ON edges (parent);"
      fi
      echo "ANALYZE;"
    } | sqlite3 "$SQ/snomed_$r$suffix.db"
  done
done

sq() {
  sqlite3 -batch -bail "$SQ/codelist.db" -cmd ".load $ROOT/sqlite_ext/dbkeeper" \
    -cmd "ATTACH '$SQ/snomed_a.db' AS snomed_a" -cmd "ATTACH '$SQ/snomed_b.db' AS snomed_b" \
    -cmd "ATTACH '$SQ/snomed_a_noindex.db' AS snomed_a_noindex" \
    -cmd "ATTACH '$SQ/snomed_b_noindex.db' AS snomed_b_noindex" "$@"
}

{
  echo "SELECT dbkeeper_codelist_init();"
  example_sql
  echo "CREATE TABLE bench_rules (code text, status text);"
  echo "CREATE TABLE bench_searches (term text, code text);"
  echo ".import --csv $OUT/rules.csv bench_rules"
  echo ".import --csv $OUT/searches.csv bench_searches"
  setup_codelist_sql
} | sq > /dev/null

sqlite_codes=$(sq "SELECT count(*) FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_a';")
for f in cte_sql cte_up_sql; do
  got=$(sq "SELECT group_concat(code || ' ' || status, ' ') FROM ($($f ex_v1 ex_edges) ORDER BY 1);")
  [ "$got" = "$EXAMPLE_WANT" ] || { echo "SQLite: $f gives [$got] on README's status-rule example" >&2; exit 1; }
done

# sqlite_runs: lines "name<TAB>sql<TAB>runs" -> each statement's runs, each labelled
sqlite_runs() {
  local name sql runs i
  while IFS=$'\t' read -r name sql runs; do
    for i in $(seq "$runs"); do
      echo ".print @$name"
      echo "$sql;"
    done
  done
}
# One session: for each statement, its runs, each followed by .timer's line.
timed_statements | sqlite_runs | sed '1i .timer on' | sq > "$SQ/timed.out"
uncached_statements | sqlite_runs | sed '1i .timer on' | (export DBKEEPER_CODELIST_CACHE=off; sq) >> "$SQ/timed.out"
# Cold: each run the first call of a new connection.
for i in $(seq "$RUNS"); do
  printf '%s\n' ".timer on" ".print @status_cold" "$STATUS_SQL;" | sq >> "$SQ/timed.out"
done
sqlite_how=$(sq "SELECT DISTINCT cache FROM dbkeeper_codelist_status('bench@snomed_a');
                 SELECT DISTINCT cache FROM dbkeeper_codelist_status('bench@snomed_a');" | tr '\n' ' ')
for k in regen regen_noindex status status_noindex status_cold status_warm cte cte_up; do
  # wall, cpu (user + sys) in seconds
  awk -v k="@$k" '$0 == k {want = 1; next}
                  want && /^Run Time:/ {print $4, $6 + $8; want = 0}' "$SQ/timed.out" > "$SQ/$k.times"
done
sqlite_diff=$(sq "SELECT (SELECT count(*) FROM (SELECT code, status FROM dbkeeper_codelist_status('bench@snomed_a')
                                               EXCEPT SELECT * FROM ($(cte_sql bench@snomed_a snomed_a.edges))))
                      + (SELECT count(*) FROM (SELECT * FROM ($(cte_sql bench@snomed_a snomed_a.edges))
                                               EXCEPT SELECT code, status FROM dbkeeper_codelist_status('bench@snomed_a')));")
codes_of() { echo "SELECT code, status FROM dbkeeper_codelist_code WHERE version = '$1'"; }
sqlite_same=$(sq "SELECT (SELECT count(*) FROM ($(codes_of bench@snomed_b) EXCEPT $(codes_of bench@snomed_b_noindex)))
                      + (SELECT count(*) FROM ($(codes_of bench@snomed_b_noindex) EXCEPT $(codes_of bench@snomed_b)));")
sqlite_draft_codes=$(sq "SELECT count(*) FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b';")
sqlite_changes=$(sq "SELECT count(*) FROM dbkeeper_codelist_changes('bench@snomed_b');")

# ----------------------------------------------------------- PostgreSQL
PG=$OUT/pg
mkdir -p "$PG"
# cpu_mark: a line "@cpu <ticks>" with the backend's CPU time so far.
cpu_mark() { echo "\\! awk '{print \"@cpu\", \$14 + \$15}' /proc/\$DBK_PID/stat"; }
# pg_runs: lines "name<TAB>sql<TAB>runs" -> each statement's runs, each
# labelled and between two marks of the backend's CPU time
pg_runs() {
  local name sql runs i
  while IFS=$'\t' read -r name sql runs; do
    for i in $(seq "$runs"); do
      echo "\\echo @$name"
      cpu_mark
      echo "$sql;"
      cpu_mark
    done
  done
}
pg_script() {
  cat <<EOF
\\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION dbkeeper;
EOF
  for r in a b; do
    for suffix in "" _noindex; do
      cat <<EOF
CREATE SCHEMA snomed_$r$suffix;
CREATE TABLE snomed_$r$suffix.edges (code text, parent text);
CREATE TABLE snomed_$r$suffix.terms (code text, term text);
\\copy snomed_$r$suffix.edges FROM '$OUT/edges_$r.csv' WITH (FORMAT csv)
\\copy snomed_$r$suffix.terms FROM '$OUT/terms_$r.csv' WITH (FORMAT csv)
EOF
      if [ -z "$suffix" ]; then
        echo "CREATE INDEX ON snomed_$r.edges (code);"
        echo "CREATE INDEX ON snomed_$r.edges (parent);"
      fi
    done
  done
  example_sql
  echo "CREATE TABLE bench_rules (code text, status text);"
  echo "CREATE TABLE bench_searches (term text, code text);"
  echo "\\copy bench_rules FROM '$OUT/rules.csv' WITH (FORMAT csv)"
  echo "\\copy bench_searches FROM '$OUT/searches.csv' WITH (FORMAT csv)"
  echo "VACUUM ANALYZE;"
  setup_codelist_sql
  echo "\\echo @codes"
  echo "SELECT count(*) FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_a';"
  for f in cte_sql cte_up_sql; do
    echo "\\echo @example_$f"
    echo "SELECT string_agg(code || ' ' || status, ' ' ORDER BY code) FROM ($($f ex_v1 ex_edges)) x;"
  done
  echo "SELECT pg_backend_pid() AS pid \\gset"
  echo "\\setenv DBK_PID :pid"
  echo "\\timing on"
  timed_statements | pg_runs
  # What the cache holds for release A (DEBUG1 says it), on a fresh connection.
  echo "\\c"
  echo "SET client_min_messages = debug1;"
  echo "\\echo @stored"
  echo "SELECT count(*) FROM dbkeeper_codelist_status('bench@snomed_a');"
  echo "SET client_min_messages = warning;"
  # Cold: each run the first call of a new connection (a new backend).
  for i in $(seq "$RUNS"); do
    echo "\\c"
    echo "SET client_min_messages = warning;"
    echo "SELECT pg_backend_pid() AS pid \\gset"
    echo "\\setenv DBK_PID :pid"
    echo "\\echo @status_cold"
    cpu_mark
    echo "$STATUS_SQL;"
    cpu_mark
  done
  # Without the cache: one row updated, so one page is no longer all-visible.
  echo "UPDATE snomed_a.edges SET code = code WHERE ctid = '(0,1)';"
  echo "UPDATE snomed_a_noindex.edges SET code = code WHERE ctid = '(0,1)';"
  uncached_statements | pg_runs
  echo "VACUUM snomed_a.edges, snomed_a_noindex.edges;"
  # The fast CTE once more without JIT, which it triggers by its cost estimates.
  echo "SET jit = off;"
  for i in $(seq "$RUNS"); do
    echo "\\echo @cte_nojit"
    cpu_mark
    echo "SELECT status, count(*) FROM ($(cte_sql bench@snomed_a snomed_a.edges)) x GROUP BY status;"
    cpu_mark
  done
  echo "RESET jit;"
  echo "\\timing off"
  echo "\\echo @diff"
  echo "SELECT (SELECT count(*) FROM (SELECT code, status FROM dbkeeper_codelist_status('bench@snomed_a')
                                      EXCEPT SELECT * FROM ($(cte_sql bench@snomed_a snomed_a.edges)) c) x)
             + (SELECT count(*) FROM (SELECT * FROM ($(cte_sql bench@snomed_a snomed_a.edges)) c
                                      EXCEPT SELECT code, status FROM dbkeeper_codelist_status('bench@snomed_a')) y);"
  echo "\\echo @same"
  echo "SELECT count(*) FROM ((SELECT code, status FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b'
                              EXCEPT SELECT code, status FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b_noindex')
                             UNION ALL
                             (SELECT code, status FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b_noindex'
                              EXCEPT SELECT code, status FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b')) x;"
  echo "\\echo @draft"
  echo "SELECT count(*) FROM dbkeeper_codelist_code WHERE version = 'bench@snomed_b';"
  echo "\\echo @changes"
  echo "SELECT count(*) FROM dbkeeper_codelist_changes('bench@snomed_b');"
}
pg_script > "$PG/bench.sql"
(
  # Installing into the server's directories is shared with every checkout: hold the lock.
  exec 9>/tmp/dbkeeper-pg.lock
  flock 9
  make -s -C pg_ext install > "$PG/install.log" 2>&1
  pg_virtualenv -t -v 15 psql -X -q -A -t -f "$PG/bench.sql" > "$PG/timed.out" 2>&1
) || { cat "$PG/timed.out" "$PG/install.log" >&2; exit 1; }
after() { awk -v k="@$1" '$0 == k {getline; print; exit}' "$PG/timed.out"; }
for k in regen regen_noindex status status_noindex status_cold status_warm cte cte_up cte_nojit; do
  # wall, cpu in seconds: Time: is in ms, @cpu in clock ticks
  awk -v k="@$k" -v hz="$(getconf CLK_TCK)" '
    $0 == k {want = 1; cpu0 = ""; next}
    want && /^@cpu/ && cpu0 == "" {cpu0 = $2; next}
    want && /^Time:/ {wall = $2 / 1000; next}
    want && /^@cpu/ {print wall, ($2 - cpu0) / hz; want = 0}' "$PG/timed.out" > "$PG/$k.times"
done
pg_codes=$(after codes)
for f in cte_sql cte_up_sql; do
  got=$(after "example_$f")
  [ "$got" = "$EXAMPLE_WANT" ] || { echo "PostgreSQL: $f gives [$got] on README's status-rule example" >&2; exit 1; }
done
pg_diff=$(after diff)
pg_same=$(after same)
pg_draft_codes=$(after draft)
pg_changes=$(after changes)
pg_stored=$(sed -n 's/.*release "snomed_a" stored: \(.*\)/\1/p' "$PG/timed.out" | head -1)

# ---------------------------------------------------------------- report
# cell DIR NAME: "wall ms (cpu ms)" medians
cell() {
  awk -v w="$(median "$1/$2.times" 1)" -v c="$(median "$1/$2.times" 2)" \
    'BEGIN {printf "%.0f ms (%.0f)", w * 1000, c * 1000}'
}
wall() { median "$1/$2.times" 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1fx", a / b}'; }
best_cte_sqlite=$(printf '%s\n' "$(wall "$SQ" cte)" "$(wall "$SQ" cte_up)" | sort -g | head -1)
best_cte_pg=$(printf '%s\n' "$(wall "$PG" cte)" "$(wall "$PG" cte_nojit)" "$(wall "$PG" cte_up)" | sort -g | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<EOF
### Codelist regeneration (bench_codelist)

Hierarchy: $CODES codes, $n_edges_a is-a edges, $n_terms_a terms, $mean_ancestors ancestors per code
on average (release A); release B adds 3,000 codes, removes 500 and moves 1,000.  Codelist:
50 explicit rules and 5 searches, $sqlite_codes codes against A (PostgreSQL: $pg_codes); its
draft against B has $sqlite_draft_codes codes (PostgreSQL: $pg_draft_codes) and
$sqlite_changes rows of changes (PostgreSQL: $pg_changes).  Median of $RUNS runs (the
ancestor-walk CTE: one run), wall clock with the CPU time of the SQLite process or the
PostgreSQL backend in parentheses; load average at the end: $load on $(nproc) CPUs.

| | SQLite $(sqlite3 --version | cut -d' ' -f1) | PostgreSQL $(pg_config --version | awk '{print $2}') |
|---|---|---|
| \`dbkeeper_codelist_new_draft\`, end to end (index on parent: walk) | $(cell "$SQ" regen) | $(cell "$PG" regen) |
| \`dbkeeper_codelist_new_draft\`, end to end (no index: every edge read) | $(cell "$SQ" regen_noindex) | $(cell "$PG" regen_noindex) |
| \`dbkeeper_codelist_status\`, warm (cached release) | $(cell "$SQ" status_warm) | $(cell "$PG" status_warm) |
| \`dbkeeper_codelist_status\`, cold (first call of a connection: reads and caches the release) | $(cell "$SQ" status_cold) | $(cell "$PG" status_cold) |
| \`dbkeeper_codelist_status\` without the cache (index on parent: walk) | $(cell "$SQ" status) | $(cell "$PG" status) |
| \`dbkeeper_codelist_status\` without the cache (no index: every edge read) | $(cell "$SQ" status_noindex) | $(cell "$PG" status_noindex) |
| recursive CTE walking down from the rules | $(cell "$SQ" cte) | $(cell "$PG" cte) |
| the same CTE with \`jit = off\` | — | $(cell "$PG" cte_nojit) |
| recursive CTE walking up from every code (1 run) | $(cell "$SQ" cte_up) | $(cell "$PG" cte_up) |
| **status, warm, vs the fastest CTE** | **$(ratio "$best_cte_sqlite" "$(wall "$SQ" status_warm)") faster** | **$(ratio "$best_cte_pg" "$(wall "$PG" status_warm)") faster** |
| status, cold, vs the fastest CTE | $(ratio "$best_cte_sqlite" "$(wall "$SQ" status_cold)") faster | $(ratio "$best_cte_pg" "$(wall "$PG" status_cold)") faster |
| status without the cache vs the fastest CTE | $(ratio "$best_cte_sqlite" "$(wall "$SQ" status)") faster | $(ratio "$best_cte_pg" "$(wall "$PG" status)") faster |
| statuses that differ from the CTE's | $sqlite_diff | $pg_diff |
| draft codes that differ, walk vs full read | $sqlite_same | $pg_same |

SQLite's hidden column \`cache\` on a new connection, first and second call: $sqlite_how.
PostgreSQL, the cached release A (DEBUG1): $pg_stored.

Goals: a regeneration under 1 s on each engine; statuses at least 10x faster than the CTE.
EOF
