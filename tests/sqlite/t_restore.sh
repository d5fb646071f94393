#!/usr/bin/env bash
# dbkeeper_restore on SQLite: the database equals the backup afterwards, the
# safety backup holds the state just before, and the refusals.
. "$(dirname "$0")/lib.sh"

restore_case() {
  local mode=$1 db=app-$1.db
  make_accounts_db "$db" 2000
  sqlite3 "$db" "PRAGMA journal_mode=$mode; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);
                 INSERT INTO notes(body) VALUES ('before');" >/dev/null
  local good before_sum after safety
  good=$(sq "$db" "SELECT dbkeeper_backup('good');")
  before_sum=$(sqlite3 "$db" .sha3sum)
  # A bad upgrade: rows changed, a table dropped, another created, an index added.
  sqlite3 "$db" "UPDATE acct SET bal = 0 WHERE id <= 10; DROP TABLE notes; CREATE TABLE junk(x);
                 CREATE INDEX acct_bal ON acct(bal); INSERT INTO junk VALUES (1);"
  after=$(sqlite3 "$db" .sha3sum)
  safety=$(sq "$db" "SELECT dbkeeper_restore('$good');")
  check "restore/$mode/safety-name" "restore returns the safety backup's name" \
    "$(printf '%s' "$safety" | grep -c -- '-pre-restore\.sqlite3\.zst$')" 1
  check "restore/$mode/content" "the database equals the backup" "$(sqlite3 "$db" .sha3sum)" "$before_sum"
  check "restore/$mode/integrity" "and passes integrity_check" "$(sqlite3 "$db" 'PRAGMA integrity_check;')" ok
  check "restore/$mode/schema" "the schema is the backup's" \
    "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema ORDER BY name);")" "acct,dbkeeper_identity,notes"
  check "restore/$mode/journal-mode" "the journal mode is unchanged" \
    "$(sqlite3 "$db" 'PRAGMA journal_mode;')" "$(echo "$mode" | tr 'A-Z' 'a-z')"
  # issue 13, item 4: the latest link names what the database now is, never the safety backup
  check "restore/$mode/latest-is-restored" "the latest link is the backup restored" \
    "$(readlink dbkeeper-backups/app-$mode.*-latest.sqlite3.zst)" "$good"
  check "restore/$mode/unnamed-skips-safety" "a restore without a name takes the newest backup that is not a safety backup" \
    "$(sq "$db" "SELECT name FROM dbkeeper_backups WHERE name = '$safety';" "SELECT dbkeeper_verify();")" "$safety
1"
  sq "$db" "SELECT dbkeeper_restore('$safety');" > /dev/null
  check "restore/$mode/undo" "restoring the safety backup gives the state before the restore" \
    "$(sqlite3 "$db" .sha3sum)" "$after"
}
restore_case WAL
restore_case DELETE

# Refusals.
make_accounts_db app.db 10
n=$(sq app.db "SELECT dbkeeper_backup();")
check_error refuse/transaction "inside a transaction" 'cannot restore inside a transaction' app.db \
  "BEGIN; SELECT dbkeeper_restore();"
check_error refuse/memory "an in-memory database" 'in-memory or temporary' :memory: "SELECT dbkeeper_restore();"
make_accounts_db other.db 3
check_error refuse/other-database "a backup of another database" \
  "backup \"$n\" is of another database" other.db "SELECT dbkeeper_restore('$n');"
check_error refuse/other-database-hint "says how to restore it anyway, as PostgreSQL does" \
  "HINT: To restore it here anyway, call dbkeeper_restore\('$n', true\)\." other.db "SELECT dbkeeper_restore('$n');"
check refuse/other-unchanged "and the other database is unchanged" "$(sqlite3 other.db 'SELECT count(*) FROM acct;')" 3
sq other.db "SELECT dbkeeper_restore('$n', true);" > /dev/null
check other/allowed "from_other_database restores it anyway" "$(sqlite3 other.db 'SELECT count(*) FROM acct;')" 10
check_error refuse/none "no backup of this database yet" 'there is no backup of database "fresh\.[0-9a-f]{8}"' fresh.db \
  "SELECT dbkeeper_restore();"

# Another process reads and writes the restored database normally afterwards.
sqlite3 app.db "PRAGMA journal_mode=WAL;" > /dev/null
sq app.db "SELECT dbkeeper_restore('$n');" > /dev/null
check after/other-process "another process sees the restored data and can write" \
  "$(sqlite3 app.db "INSERT INTO acct(bal) VALUES (1); SELECT count(*) FROM acct; PRAGMA integrity_check;")" "11
ok"

# A backup damaged in the middle of its compressed stream, on a database of
# many pages: the restore must have read (and, were it to stream, copied)
# a good part of the content before it meets the damage.  Two ways:
#   block     a byte of a compressed block flipped: zstd fails there;
#   recompressed  the content with one byte changed in its middle page,
#             compressed again into valid zstd frames between the original
#             header and trailer: only the SHA-256 in the trailer, checked
#             (of the file, of the content) after the last page can tell.
# Either way: an error naming the backup, the live database unchanged, no
# safety backup taken, no temporary file left in the backup directory.
rows=$(( DBK_HEAVY ? 60000 : 30000 ))
make_accounts_db mid.db "$rows"
sqlite3 mid.db "PRAGMA journal_mode=WAL; ALTER TABLE acct ADD COLUMN memo TEXT;
                UPDATE acct SET memo = hex(randomblob(40)) || ' account ' || id;" > /dev/null
m=$(sq mid.db "SELECT dbkeeper_backup('mid');")
sqlite3 mid.db "UPDATE acct SET bal = bal + 1 WHERE id % 7 = 0;"
mid_sum=$(sqlite3 mid.db .sha3sum)
python3 - "dbkeeper-backups/$m" <<'PY'
import struct, subprocess, sys
path = sys.argv[1]
data = open(path, 'rb').read()
head = 8 + struct.unpack('<I', data[4:8])[0]            # the header frame
tail = int(data[-11:-1])                                # "end=NNNNNNNNNN\n": the trailer frame
content = data[head:len(data) - tail]
base = path[:-len('.sqlite3.zst')]
# block: one byte flipped in the middle of the compressed content
b = bytearray(data)
b[head + len(content) // 2] ^= 0x55
open(base + '-block.sqlite3.zst', 'wb').write(b)
# recompressed: valid zstd of a content one byte different in its middle
plain = bytearray(subprocess.run(['zstd', '-dc', path], check=True, capture_output=True).stdout)
plain[len(plain) // 2 + 100] ^= 0x01
z = subprocess.run(['zstd', '-q', '-3', '--check', '-c'], input=bytes(plain), check=True, capture_output=True).stdout
open(base + '-recompressed.sqlite3.zst', 'wb').write(data[:head] + z + data[len(data) - tail:])
PY
pages=$(sqlite3 mid.db "PRAGMA page_count;")
# over 512 pages of 4 KiB: the damage lies beyond the first MiB, what a restore reads at once
check corrupt-middle/size "the database has many pages (its middle beyond the first MiB read)" \
  "$([ "$pages" -gt 512 ] && echo yes)" yes
for kind in block recompressed; do
  bad=${m%.sqlite3.zst}-$kind.sqlite3.zst
  case $kind in
    block) want="backup \"$bad\" is corrupt" ;;
    # the checksums of the trailer, read after the last page (the file's comes first)
    recompressed) want="backup \"$bad\" is corrupt: the (checksum of its compressed data|SHA-256 of its content) does not match" ;;
  esac
  check_error "corrupt-middle/$kind" "a backup damaged in the middle ($kind) is refused, naming it" \
    "$want" mid.db "SELECT dbkeeper_restore('$bad');"
  check "corrupt-middle/$kind-unchanged" "and the database is unchanged" "$(sqlite3 mid.db .sha3sum)" "$mid_sum"
  check "corrupt-middle/$kind-integrity" "and passes integrity_check" "$(sqlite3 mid.db 'PRAGMA integrity_check;')" ok
  check "corrupt-middle/$kind-no-safety" "no safety backup was taken" \
    "$(find dbkeeper-backups -name 'mid*pre-restore*' | wc -l)" 0
  check "corrupt-middle/$kind-no-temp" "no temporary file is left in the backup directory" \
    "$(find dbkeeper-backups -name '.dbkeeper-*' | wc -l)" 0
done
sq mid.db "SELECT dbkeeper_restore('$m');" > /dev/null
check corrupt-middle/good-after "the undamaged backup still restores" \
  "$(sqlite3 mid.db 'SELECT count(*), sum(bal) FROM acct; PRAGMA integrity_check;')" "$rows|$((rows * 100))
ok"
