# tests/bench/pg_bench.sh — what the PostgreSQL benchmarks share
# (bench_pg_backup.sh, bench_pg_restore.sh, bench_pg_datasets.sh,
# bench_fingerprint_sizes.sh, bench_fingerprint_schema.sh): a private cluster
# and installation, the fingerprint benchmarks' server settings, the memory
# of the server backends they measure, medians, and the phases of a
# restore from its DEBUG1 lines.

PGBIN=/usr/lib/postgresql/15/bin
as_pg() { runuser -u postgres -- "$@"; }

# bench_cluster_init NAME: a work directory (WORK) for a cluster of its own on
# a random port, the PG* variables pointing at it, and its removal on exit
bench_cluster_init() {
  WORK=$(mktemp -d "/tmp/dbk-bench-$1.XXXXXX")
  chown postgres "$WORK"
  PORT=$((20000 + RANDOM % 20000))
  export PGHOST=$WORK PGPORT=$PORT PGUSER=postgres
  unset PGDATABASE PGPASSWORD
  trap bench_cluster_cleanup EXIT
}
bench_cluster_cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}

# bench_private_install: a copy of PostgreSQL's bin, lib and share directories
# under $WORK/root (the server finds its share and lib directories relative to
# its binary) with this build installed into it by DESTDIR, and PGBIN pointing
# there: the benchmark neither holds the machine's install lock nor measures
# another checkout's build.  Call after bench_cluster_init; exits on failure.
bench_private_install() {
  local dir
  for dir in "$(pg_config --bindir)" "$(pg_config --pkglibdir)" "$(pg_config --sharedir)"; do
    mkdir -p "$WORK/root$(dirname "$dir")" && cp -a "$dir" "$WORK/root$(dirname "$dir")/" ||
      { echo "could not copy $dir" >&2; exit 1; }
  done
  make -s -C pg_ext install DESTDIR="$WORK/root" >/dev/null || { echo "install failed" >&2; exit 1; }
  PGBIN=$WORK/root$(pg_config --bindir)
}

# bench_cluster_start: initdb and start it (backups in $WORK/backups, no
# retention, WAL room for scale 100 without checkpoints); exits on failure
bench_cluster_start() {
  as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null 2>&1 || { echo "initdb failed" >&2; exit 1; }
  cat >> "$WORK/data/postgresql.conf" <<EOC
port = $PORT
unix_socket_directories = '$WORK'
listen_addresses = ''
max_wal_size = 4GB
dbkeeper.backup_dir = '$WORK/backups'
dbkeeper.keep_backups = 0
EOC
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w start >/dev/null || { cat "$WORK/log" >&2; exit 1; }
}

# bench_fingerprint_server: the fingerprint benchmarks' settings, then a
# restart: room for pg_dump's lock on every table, no autovacuum (the
# postmaster's reaped children's time must be the measured backends' alone),
# and dbkeeper preloaded as README installs it (DBK_BENCH_PRELOAD=0: not, so
# that a new session's first call also loads the library).  Sets PM (the
# postmaster's pid) and HZ (clock ticks per second); exits on failure.
bench_fingerprint_server() {
  { echo "max_locks_per_transaction = 1024"; echo "autovacuum = off"
    [ "${DBK_BENCH_PRELOAD:-1}" = 0 ] || echo "shared_preload_libraries = 'dbkeeper'"; } >>"$WORK/data/postgresql.conf"
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w restart >/dev/null || { cat "$WORK/log" >&2; exit 1; }
  PM=$(head -1 "$WORK/data/postmaster.pid")
  HZ=$(getconf CLK_TCK)
}

# sample_memory DB FILE: until killed, records the largest RssAnon and VmHWM
# (kB) of any client backend of database DB (a child of the postmaster whose
# title is "postgres: USER DB ...") in FILE.  It runs beside what is timed,
# so it is frugal: shell builtins only, no process started per sample (the
# pause is a read with a timeout on a FIFO nobody writes), about 4 ms of CPU
# per sample.  Asking the server instead (a psql and a backend every 50 ms)
# took a third of a core; pgrep alone took 17 ms per call.
sample_memory() {
  local db=$1 out=$2 anon=0 hwm=0 pm stat pid ppid title key value a h pause
  pm=$(head -1 "$WORK/data/postmaster.pid")
  rm -f "$out.fifo" && mkfifo "$out.fifo" && exec {pause}<>"$out.fifo"
  echo "0 0" >"$out"
  while :; do
    for stat in /proc/[0-9]*/stat; do
      { read -r pid _ _ ppid _ <"$stat"; } 2>/dev/null || continue
      [ "$ppid" = "$pm" ] || continue
      title=
      { IFS= read -r -d '' title <"/proc/$pid/cmdline"; } 2>/dev/null
      case $title in "postgres: "*" $db "*) ;; *) continue ;; esac
      a=0 h=0
      { while read -r key value _; do
          case $key in RssAnon:) a=$value ;; VmHWM:) h=$value ;; esac
        done <"/proc/$pid/status"; } 2>/dev/null
      if [ "$a" -gt "$anon" ] || [ "$h" -gt "$hwm" ]; then
        [ "$a" -gt "$anon" ] && anon=$a
        [ "$h" -gt "$hwm" ] && hwm=$h
        echo "$anon $hwm" >"$out"
      fi
    done
    read -r -t 0.05 -u "$pause"
  done
}

# median_by_key FILE: lines "key<TAB>number" -> "key<TAB>median", keys in
# order of appearance (an even count gives the mean of the middle two)
median_by_key() {
  awk -F'\t' '{ n[$1]++; v[$1, n[$1]] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
    END { for (i = 1; i <= k; i++) { m = order[i]; c = n[m]; delete x
            for (j = 1; j <= c; j++) x[j] = v[m, j] + 0
            for (j = 1; j <= c; j++) for (l = j + 1; l <= c; l++) if (x[l] < x[j]) { t = x[j]; x[j] = x[l]; x[l] = t }
            printf "%s\t%s\n", m, c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2 } }' "$1"
}

# restore_phases FILE: the DEBUG1 timings of a dbkeeper_restore() in FILE (its
# stderr) as lines "phase<TAB>wall ms<TAB>CPU ms", the phases named without
# the backups' names
restore_phases() {
  sed -n 's/.*dbkeeper_restore: \(.*\) in \([0-9]*\) ms (\([0-9]*\) ms CPU)$/\1\t\2\t\3/p' "$1" |
    sed 's/^[^ ]*\.sql\.zst checked/check/; s/^safety backup started on a background worker/safety worker started/
         s/^safety backup [^ ]* written by the worker, waited for [0-9]* ms/wait for the safety backup/
         s/^safety backup [^ ]* written/safety backup/; s/^[0-9]* statements replayed/replay/'
}
