# tests/pg/dbsig.sh — what the multi-process PostgreSQL tests compare: dbsig
# prints what two databases with the same content share, as text; sourced by
# tests/pg/lib.sh and tests/pg/t_backup.sh (which define q and WORK).

# dbsig DB: the schema as pg_dump prints it, large objects, the rows of every
# table and materialized view, and every sequence's value.  One psql session
# for everything after pg_dump: the query that lists the relations writes one
# query per relation, which \gexec runs in order (a connection per relation
# cost more than the queries).  Each relation's line: "<name> <rows> <md5 of
# the rows sorted as text>", "<name> not populated" for a materialized view
# never refreshed, "<name> <last_value>|<is_called>" for a sequence.
dbsig() {
  local db=$1
  pg_dump -s -d "$db" 2>/dev/null | grep -v '^\\\(un\)\?restrict '
  psql -X -At -d "$db" <<'SQL'
SELECT 'large object ' || oid || ' ' || lomowner::regrole || ' ' || coalesce(lomacl::text, '-')
    || ' ' || md5(lo_get(oid)) || ' ' || coalesce(obj_description(oid, 'pg_largeobject'), '-')
  FROM pg_largeobject_metadata ORDER BY oid;
SELECT CASE WHEN c.relkind = 'S' THEN format('SELECT %L || '' '' || last_value, is_called FROM %s', r.name, r.name)
            WHEN c.relkind = 'm' AND NOT c.relispopulated THEN format('SELECT %L || '' not populated''', r.name)
            ELSE format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(x::text, E''\n''
                           ORDER BY x::text COLLATE "C")), ''-'') FROM ONLY %s x', r.name, r.name) END
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT format('%I.%I', n.nspname, c.relname) AS name) r
 WHERE c.relkind IN ('r', 'm', 'S') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
 ORDER BY r.name \gexec
SQL
}

# psql_restore FILE DB: replays a backup into a new, empty database with the
# standard tools, statement by statement (no --single-transaction: the
# script must not need one)
psql_restore() {
  createdb "$2" && zstd -dc < "$1" | psql -X -q -v ON_ERROR_STOP=1 -d "$2" >"$WORK/restore-$2.log" 2>&1
}
