#!/usr/bin/env bash
# Bad input gets a clear error and touches nothing: names with / or .., unknown
# names, NULL and empty strings, symlinks planted in the backup directory, and
# unsafe backup directories.
. "$(dirname "$0")/lib.sh"

make_accounts_db app.db 10
n=$(sq app.db "SELECT dbkeeper_backup();")
files_before=$(ls -la dbkeeper-backups | md5sum)

for fn in verify restore; do
  check_error "name/$fn/slash" "$fn: a name with /" 'is not a plain file name' app.db \
    "SELECT dbkeeper_$fn('../app.db');"
  check_error "name/$fn/dotdot" "$fn: a name with .." 'is not a plain file name' app.db \
    "SELECT dbkeeper_$fn('x..sqlite3.zst');"
  check_error "name/$fn/absolute" "$fn: an absolute path" 'is not a plain file name' app.db \
    "SELECT dbkeeper_$fn('/etc/passwd');"
  check_error "name/$fn/empty" "$fn: an empty name" 'backup name must not be empty' app.db \
    "SELECT dbkeeper_$fn('');"
  check_error "name/$fn/unknown" "$fn: an unknown name" 'backup "app-1999-01-01T00-00-00Z.sqlite3.zst" does not exist' app.db \
    "SELECT dbkeeper_$fn('app-1999-01-01T00-00-00Z.sqlite3.zst');"
  check_error "name/$fn/not-ours" "$fn: not a backup name" 'is not the name of a dbkeeper backup' app.db \
    "SELECT dbkeeper_$fn('app.db');"
done
check_error label/slash "a label with /" 'contains a character that cannot go in a file name' app.db \
  "SELECT dbkeeper_backup('a/b');"
check_error label/empty "an empty label" 'label must not be empty' app.db "SELECT dbkeeper_backup('');"
check label/null "a NULL label is no label" "$(sq app.db "SELECT dbkeeper_backup(NULL) NOT LIKE '%-.sqlite3.zst';")" 1
check_error config/null-name "a NULL setting name" 'setting name cannot be NULL' app.db "SELECT dbkeeper_config(NULL);"
check untouched/after-errors "the errors touched nothing but the one new backup" \
  "$(find dbkeeper-backups -type f | wc -l)" 2

# Symlinks planted in the backup directory.
ln -s /etc/hostname dbkeeper-backups/evil-2026-01-01T00-00-00Z.sqlite3.zst
check_error symlink/backup "a symlink planted as a backup is refused" 'is a symbolic link' app.db \
  "SELECT dbkeeper_verify('evil-2026-01-01T00-00-00Z.sqlite3.zst');"
check symlink/not-listed "and not listed" "$(sq app.db "SELECT count(*) FROM dbkeeper_backups WHERE name LIKE 'evil%';")" 0
sq app.db "SELECT dbkeeper_config('keep_backups', 1);" "SELECT dbkeeper_prune(1);" > /dev/null
check_true symlink/not-pruned "and never deleted" test -L dbkeeper-backups/evil-2026-01-01T00-00-00Z.sqlite3.zst
LATEST=$(ls dbkeeper-backups/app.*-latest.sqlite3.zst)
rm "$LATEST"
ln -s ../app.db "$LATEST"
# Without a name, verify and restore choose from the backups' headers, never through the link.
check symlink/latest-outside "a latest link pointing outside is never followed" \
  "$(sq app.db "SELECT dbkeeper_verify();")" 1
check untouched/database "the database is unchanged" "$(sqlite3 app.db 'SELECT count(*) FROM acct;')" 10
rm "$LATEST"
echo "not a link" > "$LATEST"
count=$(find dbkeeper-backups -type f -name 'app.*-2*' | wc -l)
check_error latest/regular-file "a regular file where the latest link goes stops the backup" \
  'is not a symbolic link' app.db "SELECT dbkeeper_backup();"
check latest/nothing-published "and nothing new is published" "$(find dbkeeper-backups -type f -name 'app.*-2*' | wc -l)" "$count"
check latest/file-kept "and the file is left alone" "$(cat "$LATEST")" "not a link"
check latest/no-temp "and no temporary file is left" "$(ls -A dbkeeper-backups | grep -c '^\.dbkeeper-')" 0

# Unsafe backup directories.
mkdir -m 700 real
ln -s real linked
check_error dir/symlink "a backup directory that is a symlink" 'is a symbolic link' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/linked'); SELECT dbkeeper_backup();"
mkdir -m 777 open
chmod 777 open
check_error dir/world-writable "a world-writable backup directory" 'is writable by group or others' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/open'); SELECT dbkeeper_backup();"
check dir/untouched "nothing is written into it" "$(ls -A open | wc -l)" 0
check_error dir/missing-parent "a backup directory whose parent is missing: an error with a hint" \
  '^HINT: Only the backup directory itself is created; create its parent directory first' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/no/such/dir'); SELECT dbkeeper_backup();"
check_error dir/none-yet "verify before any backup names the missing directory" \
  'backup directory ".*/nobackups" does not exist' app.db \
  "SELECT dbkeeper_config('backup_dir', '$T/nobackups'); SELECT dbkeeper_verify();"
check dir/none-yet-list "and the listing is empty" \
  "$(sq app.db "SELECT dbkeeper_config('backup_dir', '$T/nobackups');" "SELECT count(*) FROM dbkeeper_backups;" | tail -1)" 0
