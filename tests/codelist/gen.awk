# tests/codelist/gen.awk — turns tests/codelist/cases.txt into SQL for one engine.
#
#   awk -v engine=pg     -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist.sql
#   awk -v engine=pg -v indexed=1 -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist_indexed.sql
#   awk -v engine=pg -v vacuum=1 -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist_cached.sql
#   awk -v engine=sqlite -f tests/codelist/gen.awk tests/codelist/cases.txt   (tests/sqlite/t_codelist.sh)
#
# With indexed=1 every release's edges table gets indexes on parent and on
# code, so the functions walk down the hierarchy instead of reading every
# edge (core/codelist.h, dbk_cl_release_walk_down): the same cases must give
# the same results both ways.  With vacuum=1 (PostgreSQL) each edges table is
# vacuumed after its rows are written, so that every page is all-visible and
# dbkeeper_codelist_status caches the release (pg_ext/codelist_cache.c) until
# a later statement of the cases changes it.
# Both engines run the same cases and compare with the same expected values.
# Every check prints one line "<check id>|ok", or "<check id>|got [...]"
# with what it got instead.  PostgreSQL checks errors in a plpgsql helper;
# SQLite cannot, so an error check becomes a block between the comments
#   -- @error <check id><TAB><expected message>
#   -- @end
# that t_codelist.sh runs on its own and compares.  "-- @attach <name>" asks
# t_codelist.sh to attach <name>.db to every later connection (a connection
# of the sqlite3 shell does not outlive one run of it).
#
# The language of cases.txt is described at its top.

function q(s) { gsub(/'/, "''", s); return "'" s "'" }
function arg(s) { return s == "NULL" ? "NULL" : q(s) }

# The rest of the line after the first n fields, spaces kept.
function rest(n,    s, i) {
  s = $0
  for (i = 1; i <= n; i++) sub(/^[ \t]*[^ \t]+/, "", s)
  sub(/^[ \t]+/, "", s)
  return s
}

# Expected words after "=": the words joined by single spaces.
function expected(    s) {
  s = $0
  sub(/^[^=]*=[ \t]*/, "", s)
  gsub(/[ \t]+/, " ", s)
  sub(/ $/, "", s)
  return s
}

function check_id(kind) { nchecks[kind]++; return casename "/" kind (nchecks[kind] > 1 ? nchecks[kind] : "") }

# agg(expr, from, order): the rows' expr joined by spaces, in order.
function agg(expr, from, order) {
  if (engine == "pg")
    return "(SELECT string_agg(" expr ", ' ' ORDER BY " order " COLLATE \"C\") FROM " from ")"
  return "(SELECT group_concat(x, ' ') FROM (SELECT " expr " AS x FROM " from " ORDER BY " order "))"
}

function verdict(id, expr, want) {
  print "WITH r(g) AS MATERIALIZED (SELECT " expr ")"
  print "SELECT " q(id) ", CASE WHEN coalesce(g, '<NULL>') = " q(want) " THEN 'ok' ELSE 'got [' || coalesce(g, '<NULL>') || ']' END FROM r;"
}

function call_sql(    s, i) {
  # the call in fields 3.. up to "~"
  if ($3 == "status")
    return "SELECT * FROM dbkeeper_codelist_status(" arg($4) ")"
  if ($3 == "changes")
    return "SELECT * FROM dbkeeper_codelist_changes(" arg($4) ")"
  if ($3 == "draft") {
    s = "SELECT dbkeeper_codelist_new_draft(" arg($4) ", " arg($5)
    if ($6 != "~") s = s ", " arg($6)
    return s ")"
  }
  print "gen.awk: line " NR ": unknown call " $3 > "/dev/stderr"
  exit 1
}

BEGIN {
  if (engine != "pg" && engine != "sqlite") {
    print "gen.awk: set engine=pg or engine=sqlite" > "/dev/stderr"
    exit 1
  }
  print "-- Codelist draft regeneration, the same cases on PostgreSQL and SQLite."
  print "-- Generated from tests/codelist/cases.txt by tests/codelist/gen.awk: edit those, then run"
  if (indexed)
    print "--   awk -v engine=pg -v indexed=1 -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist_indexed.sql"
  else if (vacuum)
    print "--   awk -v engine=pg -v vacuum=1 -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist_cached.sql"
  else
    print "--   awk -v engine=pg -f tests/codelist/gen.awk tests/codelist/cases.txt > sql/codelist.sql"
  if (indexed)
    print "-- Every edges table has indexes on parent and code: the functions walk the hierarchy."
  if (vacuum)
    print "-- Every edges table is vacuumed once written: dbkeeper_codelist_status caches its release."
  if (engine == "pg") {
    print "\\set VERBOSITY terse"
    print "\\pset tuples_only on"
    print "\\pset format unaligned"
    print "SET client_min_messages = warning;"
    print "CREATE EXTENSION dbkeeper;"
    print "-- The cases' own tables go in a schema of their own, dropped at the end."
    print "CREATE SCHEMA codelist_cases;"
    print "SET search_path = codelist_cases, public;"
    print "-- expect_error(check, sql, message): 'ok' when sql fails with exactly that message."
    print "CREATE FUNCTION pg_temp.expect_error(id text, sql text, want text) RETURNS text"
    print "LANGUAGE plpgsql AS $$"
    print "BEGIN"
    print "  EXECUTE sql;"
    print "  RETURN id || '|got no error';"
    print "EXCEPTION WHEN OTHERS THEN"
    print "  RETURN id || CASE WHEN SQLERRM = want THEN '|ok ' || SQLSTATE"
    print "                    ELSE '|got [' || SQLERRM || ']' END;"
    print "END $$;"
    print "SELECT 'init/tables-exist', CASE WHEN dbkeeper_codelist_init() = 0 THEN 'ok' ELSE 'got tables created' END;"
  } else {
    print "SELECT 'init/tables-created', CASE WHEN dbkeeper_codelist_init() = 4 THEN 'ok' ELSE 'got no tables created' END;"
    print "SELECT 'init/idempotent', CASE WHEN dbkeeper_codelist_init() = 0 THEN 'ok' ELSE 'got tables created again' END;"
  }
}

/^[ \t]*(#|$)/ { next }

$1 == "case" {
  casename = $2
  delete nchecks
  print ""
  print "-- " casename ": " rest(2)
  next
}

$1 == "schema" {
  if (engine == "pg") { print "CREATE SCHEMA " $2 ";"; schemas = schemas " " $2 }
  else print "-- @attach " $2	# t_codelist.sh attaches it to every connection from here on
  next
}

# release NAME SYSTEM VALID_FROM [EDGES TERMS [TYPE]]
$1 == "release" {
  edges[$2] = NF >= 6 ? $5 : $2 "_edges"
  terms[$2] = NF >= 6 ? $6 : $2 "_terms"
  type = NF >= 7 ? $7 : "text"
  print "CREATE TABLE " edges[$2] " (code " type ", parent " type ");"
  print "CREATE TABLE " terms[$2] " (code " type ", term text);"
  if (indexed) {
    for (k = 1; k <= 2; k++) {
      col = k == 1 ? "parent" : "code"
      idx = edges[$2] "_" col; gsub(/\./, "_", idx)
      if (engine == "pg")
        print "CREATE INDEX " idx " ON " edges[$2] " (" col ");"
      else if (split(edges[$2], qual, ".") == 2)
        print "CREATE INDEX " qual[1] "." idx " ON " qual[2] " (" col ");"
      else
        print "CREATE INDEX " idx " ON " edges[$2] " (" col ");"
    }
  }
  print "INSERT INTO dbkeeper_codelist_release VALUES (" q($2) ", " q($3) ", " q($4) ", " q(edges[$2]) ", " q(terms[$2]) ");"
  next
}

# edges RELEASE parent>child ... (a code alone: a row with a NULL parent)
$1 == "edges" {
  s = ""
  for (i = 3; i <= NF; i++) {
    if (split($i, pc, ">") == 2) row = "(" q(pc[2]) ", " q(pc[1]) ")"
    else row = "(" q($i) ", NULL)"
    s = s (s == "" ? "" : ", ") row
  }
  print "INSERT INTO " edges[$2] " (code, parent) VALUES " s ";"
  if (vacuum && engine == "pg")
    print "VACUUM " edges[$2] ";"
  next
}

# terms RELEASE code: term | code: term ...
$1 == "terms" {
  n = split(rest(2), items, /[ \t]*\|[ \t]*/)
  s = ""
  for (i = 1; i <= n; i++) {
    c = items[i]; sub(/:.*/, "", c); gsub(/[ \t]/, "", c)
    t = items[i]; sub(/^[^:]*:[ \t]*/, "", t)
    s = s (s == "" ? "" : ", ") "(" q(c) ", " q(t) ")"
  }
  print "INSERT INTO " terms[$2] " (code, term) VALUES " s ";"
  next
}

# version ID CODELIST RELEASE STATUS code status code status ...
$1 == "version" {
  print "INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) VALUES (" q($2) ", " q($3) ", " q($4) ", " q($5) ");"
  s = ""
  for (i = 6; i < NF; i += 2)
    s = s (s == "" ? "" : ", ") "(" q($2) ", " q($i) ", " q($(i + 1)) ")"
  if (s != "") print "INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES " s ";"
  next
}

# search VERSION term TEXT... | search VERSION code CODE
$1 == "search" {
  if ($3 == "term") print "INSERT INTO dbkeeper_codelist_search (version, term) VALUES (" q($2) ", " q(rest(3)) ");"
  else print "INSERT INTO dbkeeper_codelist_search (version, code) VALUES (" q($2) ", " q($4) ");"
  next
}

$1 == "sql" { print rest(1); next }

# status VERSION = code status ...
$1 == "status" {
  verdict(check_id("status"), agg("code || ' ' || status", "dbkeeper_codelist_status(" q($2) ")", "code"), expected())
  next
}

# codes VERSION = code status ...    (the stored codes)
$1 == "codes" {
  verdict(check_id("codes"), agg("code || ' ' || status", "dbkeeper_codelist_code WHERE version = " q($2), "code"), expected())
  next
}

# draft VERSION AUTHOR [RELEASE] = ID
$1 == "draft" {
  call = "dbkeeper_codelist_new_draft(" arg($2) ", " arg($3) ($4 != "=" ? ", " arg($4) : "") ")"
  verdict(check_id("draft"), call, expected())
  next
}

# row VERSION = codelist release status author derived_from
$1 == "row" {
  verdict(check_id("row"), "(SELECT codelist || ' ' || release || ' ' || status || ' ' || coalesce(author, '_') || ' ' || coalesce(derived_from, '_') FROM dbkeeper_codelist_version WHERE id = " q($2) ")", expected())
  next
}

# searches VERSION = term:text code:code ...  (sorted)
$1 == "searches" {
  verdict(check_id("searches"), agg("CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END", "dbkeeper_codelist_search WHERE version = " q($2), "CASE WHEN term IS NULL THEN 'code:' || code ELSE 'term:' || term END"), expected())
  next
}

# changes DRAFT = code status previous change ...   (NULL as _)
$1 == "changes" {
  verdict(check_id("changes"), agg("code || ' ' || coalesce(status, '_') || ' ' || coalesce(previous_status, '_') || ' ' || change", "dbkeeper_codelist_changes(" q($2) ")", "code"), expected())
  next
}

# error LABEL CALL ARGS... ~ MESSAGE
$1 == "error" {
  id = casename "/error-" $2
  want = $0; sub(/^[^~]*~[ \t]*/, "", want)
  sql = call_sql()
  if (engine == "pg")
    print "SELECT pg_temp.expect_error(" q(id) ", " q(sql) ", " q(want) ");"
  else {
    print "-- @error " id "\t" want
    print sql ";"
    print "-- @end"
  }
  next
}

{
  print "gen.awk: line " NR ": cannot read: " $0 > "/dev/stderr"
  exit 1
}

END {
  if (engine == "pg") {
    print ""
    print "-- The extension's tables go with it; the next test starts without dbkeeper."
    print "RESET search_path;"
    n = split("codelist_cases" schemas, drop, " ")
    for (i = 1; i <= n; i++) print "DROP SCHEMA " drop[i] " CASCADE;"
    print "DROP EXTENSION dbkeeper;"
  }
}
