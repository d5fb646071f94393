#!/usr/bin/env bash
# SQLite backup benchmark: dbkeeper_backup() against what people run today,
#   sqlite3 db ".backup f" && zstd -3 f
#   sqlite3 db "VACUUM INTO 'f'" && zstd -3 f
# on the same database, with the page cache warm for all.  Datasets:
#   blobs    incompressible blobs (160 MB), WAL mode
#   notes    clinical encounters with free-text notes of a few dozen words,
#            coded columns and numbers, compressing about 3:1 with zstd -3,
#            in WAL mode at 100 MB and about 1 GB (memory must stay flat)
#   notes-rollback  the 100 MB notes in rollback-journal (DELETE) mode, which
#            copies the pages first to keep its shared lock short
# Runs DBK_BENCH_ROUNDS rounds (default 3), each running the three methods
# one after the other, and reports the median wall time, the median CPU time
# (user + sys, all threads and steps), the output size, the peak resident
# memory of the process (for the pipelines, the largest of their steps, by
# /usr/bin/time -v), every run's time, and the ratio of dbkeeper's time to each alternative's
# (the goal at 1 GB: at most 0.60 against .backup + zstd -3).
# DBK_BENCH_QUICK=1 runs small sizes for a smoke test; DBK_BENCH_SQLITE_SETS
# overrides the datasets ("kind:MB ...", kind blobs, notes or notes-rollback);
# DBK_BENCH_SQLITE_METHODS the alternatives (default "backup vacuum").
# The generated databases stay in build/bench/sqlite for the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EXT=${DBK_BENCH_SQLITE_EXT:-$ROOT/sqlite_ext/dbkeeper}   # another build of the extension to compare
W=${DBK_BENCH_DIR:-$ROOT/build/bench/sqlite}
if [ "${DBK_BENCH_QUICK:-0}" = 1 ]; then
  SETS=${DBK_BENCH_SQLITE_SETS:-"blobs:16 notes:10 notes:40 notes-rollback:10"}
else
  SETS=${DBK_BENCH_SQLITE_SETS:-"blobs:160 notes:100 notes:1000 notes-rollback:100"}
fi
RUNS=${DBK_BENCH_ROUNDS:-3}
mkdir -p "$W"

# make_blobs FILE MB: rows of random bytes, which no compressor can shrink.
make_blobs() {
  local f=$1 mb=$2
  [ -f "$f" ] && return
  sqlite3 "$f" "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;
    CREATE TABLE attachment(id INTEGER PRIMARY KEY, patient INTEGER, data BLOB);
    INSERT INTO attachment SELECT value, value % 5000, randomblob(16000)
    FROM generate_series(1, $((mb * 1024 * 1024 / 16400)));
    PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
}

# make_notes FILE MB MODE: encounters whose notes are random words of a
# clinical vocabulary (each row about 265 bytes with its index entry).
make_notes() {
  local f=$1 mb=$2 mode=$3 word i expr=""
  [ -f "$f" ] && return
  word="(SELECT word FROM w WHERE i = (abs(random()) + value * 0) % 128)"
  for i in $(seq 24); do expr+="${expr:+ || ' ' || }$word"; done
  sqlite3 "$f" > /dev/null <<EOF
PRAGMA page_size=4096; PRAGMA journal_mode=WAL;
CREATE TABLE encounter(id INTEGER PRIMARY KEY, patient INTEGER NOT NULL, seen_at TEXT NOT NULL,
  code TEXT, systolic INTEGER, diastolic INTEGER, note TEXT);
CREATE INDEX encounter_patient ON encounter(patient, seen_at);
CREATE TEMP TABLE w(i INTEGER PRIMARY KEY, word TEXT);
INSERT INTO w SELECT key, value FROM json_each('["patient","reports","mild","severe","pain","in","the","left","right","knee","chest","abdomen","since","yesterday","last","week","denies","fever","nausea","vomiting","cough","shortness","of","breath","on","exertion","examination","shows","tenderness","no","swelling","blood","pressure","elevated","normal","heart","sounds","lungs","clear","plan","continue","metformin","lisinopril","atorvastatin","review","in","two","weeks","refer","to","cardiology","x-ray","ordered","advised","rest","fluids","follow","up","if","worse","history","of","diabetes","hypertension","asthma","smoker","non-smoker","alcohol","occasional","lives","alone","with","wife","husband","daughter","son","works","as","teacher","driver","nurse","retired","allergic","penicillin","none","known","weight","stable","increased","decreased","appetite","sleep","poor","good","mood","low","anxious","calm","wound","healing","well","dressing","changed","sutures","removed","medication","reconciled","dose","adjusted","labs","pending","results","reviewed","hba1c","cholesterol","creatinine","potassium","sodium","within","range","slightly","high","low","repeat","in","three","months"]');
INSERT INTO encounter SELECT value, abs(random()) % 200000, datetime(1400000000 + value * 53, 'unixepoch'),
  'ICD' || (abs(random()) % 2000), 100 + abs(random()) % 70, 60 + abs(random()) % 40,
  $expr || printf(' bp %d/%d, pulse %d, temp %.1f; ref %s', 100 + abs(random()) % 70,
    60 + abs(random()) % 40, 50 + abs(random()) % 60, 36 + (abs(random()) % 40) / 10.0, hex(randomblob(4)))
FROM generate_series(1, $((mb * 1024 * 1024 / 265)));
PRAGMA wal_checkpoint(TRUNCATE);
PRAGMA journal_mode=$mode;
EOF
}

# run_once CMD: runs CMD once under /usr/bin/time; prints "wall cpu rss_kib"
# (cpu = user + sys of CMD and its children).
run_once() {
  /usr/bin/time -v -o "$W/time.txt" bash -c "$1" > /dev/null 2> "$W/err.txt" || { cat "$W/err.txt" >&2; return 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; w = s }
    /User time/ { c += $2 } /System time/ { c += $2 } /Maximum resident set size/ { m = $2 }
    END { print w, c, m }' "$W/time.txt"
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| dataset | method | time (s, median of $RUNS) | CPU user+sys (s, median) | output (MB) | peak memory (MB) | dbkeeper time ÷ this | every run (s) |"
echo "|---|---|---|---|---|---|---|---|"
for set in $SETS; do
  kind=${set%%:*}
  mb=${set#*:}
  case $kind in
    blobs) db=$W/blobs$mb.db; make_blobs "$db" "$mb" ;;
    notes) db=$W/notes$mb.db; make_notes "$db" "$mb" WAL ;;
    notes-rollback) db=$W/notes-rollback$mb.db; make_notes "$db" "$mb" DELETE ;;
    *) echo "unknown dataset $set" >&2; exit 1 ;;
  esac
  cat "$db" > /dev/null   # warm the page cache
  dbsize=$(awk -v b="$(stat -L -c %s "$db")" 'BEGIN { printf "%.0f", b / 1048576 }')
  label="$kind, $dbsize MB ($(sqlite3 "$db" 'PRAGMA journal_mode;'))"

  # The three methods one after the other in every round (the rounds
  # interleave them, so a busy moment of the shared machine is spread over
  # all three), each starting from an empty output.
  methods=(dbk ${DBK_BENCH_SQLITE_METHODS:-backup vacuum})
  declare -A cmd prep
  prep[dbk]="rm -rf '$W/bk'; mkdir -m 700 '$W/bk'"
  cmd[dbk]="DBKEEPER_BACKUP_DIR='$W/bk' sqlite3 '$db' '.load $EXT' 'SELECT dbkeeper_config(\"keep_backups\", 0);' 'SELECT dbkeeper_backup();'"
  prep[backup]="rm -f '$W/copy.db' '$W/copy.db.zst'"
  cmd[backup]="sqlite3 '$db' \".backup '$W/copy.db'\" && zstd -q -3 '$W/copy.db' -o '$W/copy.db.zst'"
  prep[vacuum]="rm -f '$W/vac.db' '$W/vac.db.zst'"
  cmd[vacuum]="sqlite3 '$db' \"VACUUM INTO '$W/vac.db'\" && zstd -q -3 '$W/vac.db' -o '$W/vac.db.zst'"
  declare -A walls cpus rss size
  for m in "${methods[@]}"; do walls[$m]=""; cpus[$m]=""; rss[$m]=0; done
  for _ in $(seq $RUNS); do
    for m in "${methods[@]}"; do
      eval "${prep[$m]}"
      read -r t c r < <(run_once "${cmd[$m]}")
      walls[$m]+="$t "
      cpus[$m]+="$c "
      [ "$r" -gt "${rss[$m]}" ] && rss[$m]=$r
    done
  done
  size[dbk]=$(find "$W/bk" -name '*.sqlite3.zst' -type f -exec stat -c %s {} +)
  [ -n "${walls[backup]:-}" ] && size[backup]=$(stat -c %s "$W/copy.db.zst")
  [ -n "${walls[vacuum]:-}" ] && size[vacuum]=$(stat -c %s "$W/vac.db.zst")
  t_dbk=$(printf '%s\n' ${walls[dbk]} | median)

  row() {  # method name
    local t c
    t=$(printf '%s\n' ${walls[$1]} | median)
    c=$(printf '%s\n' ${cpus[$1]} | median)
    awk -v l="$label" -v n="$2" -v t="$t" -v c="$c" -v m="${rss[$1]}" -v s="${size[$1]}" -v ref="$t_dbk" -v all="${walls[$1]% }" \
      'BEGIN { printf "| %s | %s | %.2f | %.2f | %.1f | %.1f | %.2f | %s |\n", l, n, t, c, s / 1048576, m / 1024, ref / t, all }'
  }
  row dbk "dbkeeper_backup()"
  [ -n "${walls[backup]:-}" ] && row backup "sqlite3 .backup + zstd -3"
  [ -n "${walls[vacuum]:-}" ] && row vacuum "VACUUM INTO + zstd -3"
  unset cmd prep walls cpus rss size
done
echo
echo "dbkeeper time ÷ this: below 1.00 means dbkeeper_backup() is faster (goal at 1 GB: at most 0.60 against .backup + zstd -3)."
rm -rf "$W/bk" "$W/copy.db" "$W/copy.db.zst" "$W/vac.db" "$W/vac.db.zst"
