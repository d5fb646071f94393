# tests/pg/dbsig.sh — what the multi-process PostgreSQL tests compare: dbsig
# prints what two databases with the same content share, as text; sourced by
# tests/pg/lib.sh and tests/pg/t_backup.sh (which define q and WORK).

# dbsig DB: the schema as pg_dump prints it, large objects, the rows of every
# table and materialized view, and every sequence's value
dbsig() {
  local db=$1 rel kind
  pg_dump -s -d "$db" 2>/dev/null | grep -v '^\\\(un\)\?restrict '
  psql -X -At -d "$db" -c "SELECT 'large object ' || oid || ' ' || lomowner::regrole || ' ' || coalesce(lomacl::text, '-')
      || ' ' || md5(lo_get(oid)) || ' ' || coalesce(obj_description(oid, 'pg_largeobject'), '-')
      FROM pg_largeobject_metadata ORDER BY oid"
  # NUL-separated records: a table name may hold a newline
  q -d "$db" -F '|' -0 -c "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm', 'S')
        AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' ORDER BY 2" |
  while IFS='|' read -r -d '' kind rel; do
    if [ "$kind" = S ]; then
      printf '%s %s\n' "$rel" "$(q -d "$db" -c "SELECT last_value, is_called FROM $rel")"
    elif [ "$kind" = m ] && [ "$(q -d "$db" -c "SELECT relispopulated FROM pg_class WHERE oid = '$rel'::regclass")" = f ]; then
      printf '%s not populated\n' "$rel"
    else
      printf '%s %s\n' "$rel" "$(q -d "$db" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n'
          ORDER BY x::text COLLATE \"C\")), '-') FROM ONLY $rel x")"
    fi
  done
}

# psql_restore FILE DB: replays a backup into a new, empty database with the
# standard tools, statement by statement (no --single-transaction: the
# script must not need one)
psql_restore() {
  createdb "$2" && zstd -dc < "$1" | psql -X -q -v ON_ERROR_STOP=1 -d "$2" >"$WORK/restore-$2.log" 2>&1
}
