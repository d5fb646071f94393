#!/usr/bin/env bash
# Damaged backups: a flipped byte at many offsets, truncation, files that are
# not dbkeeper backups, and a database that fails integrity_check.  verify
# names the backup and the problem; restore refuses and changes nothing.
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 3000
n=$(sq app.db "SELECT dbkeeper_backup();")
orig=dbkeeper-backups/$n
size=$(stat -c %s "$orig")
sum_before=$(sqlite3 app.db .sha3sum)

# Offsets spread over the whole file, plus the first and last bytes and the
# header and trailer regions densely.
offsets="0 1 4 7 8 20 $((size / 2)) $((size - 1)) $((size - 8)) $((size - 15)) $((size - 40)) $((size - 100))"
step=$(( size / 40 ))
for i in $(seq 1 39); do offsets="$offsets $((i * step))"; done
verify_missed=0 restore_missed=0 unnamed=0 tried=0
for off in $offsets; do
  bad=app-2000-01-01T00-00-00Z-flip$tried.sqlite3.zst
  cp "$orig" "dbkeeper-backups/$bad"
  byte=$(od -An -tu1 -j "$off" -N1 "$orig" | tr -d ' ')
  printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" | dd of="dbkeeper-backups/$bad" bs=1 seek="$off" conv=notrunc status=none
  out=$(sq app.db "SELECT dbkeeper_verify('$bad');" 2>&1) && verify_missed=$((verify_missed + 1))
  printf '%s' "$out" | grep -q "$bad" || unnamed=$((unnamed + 1))
  sq app.db "SELECT dbkeeper_restore('$bad');" >/dev/null 2>&1 && restore_missed=$((restore_missed + 1))
  rm -f "dbkeeper-backups/$bad"
  tried=$((tried + 1))
done
check flip/verify "verify detects a flipped byte at each of $tried offsets" "$verify_missed" 0
check flip/named "and every error names the backup" "$unnamed" 0
check flip/restore "restore refuses each of them" "$restore_missed" 0
check flip/unchanged "and the database is unchanged" "$(sqlite3 app.db .sha3sum)" "$sum_before"
check flip/no-safety "no safety backup was taken for a refused restore" \
  "$(find dbkeeper-backups -name '*pre-restore*' | wc -l)" 0

head -c $((size / 2)) "$orig" > dbkeeper-backups/app-2000-01-01T00-00-00Z-cut.sqlite3.zst
check_error truncated/verify "a truncated backup" 'backup "app-2000-01-01T00-00-00Z-cut.sqlite3.zst" is truncated' \
  app.db "SELECT dbkeeper_verify('app-2000-01-01T00-00-00Z-cut.sqlite3.zst');"
check_error truncated/restore "restore refuses it" 'is truncated' \
  app.db "SELECT dbkeeper_restore('app-2000-01-01T00-00-00Z-cut.sqlite3.zst');"
cp app.db dbkeeper-backups/app-2000-01-01T00-00-00Z-raw.sqlite3.zst
check_error notours/plain "a file that is not a backup" 'is not a dbkeeper backup' \
  app.db "SELECT dbkeeper_verify('app-2000-01-01T00-00-00Z-raw.sqlite3.zst');"
zstd -q -c app.db > dbkeeper-backups/app-2000-01-01T00-00-00Z-zstd.sqlite3.zst
check_error notours/zstd "a plain zstd file" 'It is a zstd file without dbkeeper.s header' \
  app.db "SELECT dbkeeper_verify('app-2000-01-01T00-00-00Z-zstd.sqlite3.zst');"
: > dbkeeper-backups/app-2000-01-01T00-00-00Z-empty.sqlite3.zst
check_error notours/empty "an empty file" 'is not a dbkeeper backup' \
  app.db "SELECT dbkeeper_verify('app-2000-01-01T00-00-00Z-empty.sqlite3.zst');"
check unchanged/all "the database is still unchanged" "$(sqlite3 app.db .sha3sum)" "$sum_before"

# A database damaged inside (not in its header) backs up page by page; verify
# runs integrity_check on the copy and says so.
make_accounts_db broken.db 20000
sqlite3 broken.db "CREATE INDEX acct_bal ON acct(bal);"
pages=$(sqlite3 broken.db "PRAGMA page_count;")
psize=$(sqlite3 broken.db "PRAGMA page_size;")
dd if=/dev/urandom of=broken.db bs="$psize" seek=$((pages - 2)) count=1 conv=notrunc status=none
b=$(sq broken.db "SELECT dbkeeper_backup();" 2>/dev/null)
check integrity/backup "the backup API copies the damaged pages as they are" "$(printf '%s' "$b" | grep -c '^broken\.')" 1
check_error integrity/verify "verify runs integrity_check on the unpacked database" \
  "backup \"$b\" fails PRAGMA integrity_check" broken.db "SELECT dbkeeper_verify('$b');"
