# tests/bench/pg_memory.sh — memory of the server backends a PostgreSQL
# benchmark measures; sourced by bench_pg_backup.sh and bench_pg_restore.sh.

# sample_memory DB FILE: until killed, records the largest RssAnon and VmHWM
# (kB) of any client backend of database DB.
sample_memory() {
  local db=$1 out=$2 anon=0 hwm=0 pid a h
  while :; do
    for pid in $(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity
                   WHERE datname = '$db' AND backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null); do
      a=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      h=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
      [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
    done
    echo "$anon $hwm" >"$out.new" && mv "$out.new" "$out"
    sleep 0.05
  done
}
