#!/usr/bin/env bash
# tests/sqlite/t_readme.sh — README.md's SQLite examples, run as written
# (tests/readme/lib.sh says how a block is marked and compared): each
# "sqlite" transcript in the sqlite3 shell on app.db in this test's
# directory, one shell per block, in README order.  The extension is first
# installed with `make install-sqlite` under a DESTDIR, and README's
# `.load /usr/local/lib/dbkeeper` loads it from there: the line works as
# written after `make install`.  (In the sanitizer pass, the extension under
# test is loaded instead.)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../readme/lib.sh"
RT=$T/rt
mkdir -p "$RT"

if [ -n "${DBK_PRELOAD:-}" ]; then
  ext=$DBK_SQLITE_EXT
elif out=$(make -s -C "$HERE/../.." install-sqlite DESTDIR="$T/root" 2>&1) &&
     [ -f "$T/root/usr/local/lib/dbkeeper.so" ]; then
  ext=$T/root/usr/local/lib/dbkeeper
  check readme/install "make install-sqlite puts dbkeeper.so in /usr/local/lib" ok ok
else
  check readme/install "make install-sqlite puts dbkeeper.so in /usr/local/lib" "$out" ok
  ext=$DBK_SQLITE_EXT
fi

run_block() {
  local id=$1 line=$2 tag=$3
  sed "s|/usr/local/lib/dbkeeper|$ext|g" > "$RT/block"
  if [ "$tag" != sqlite ]; then check "readme/$id" "known tag" "$tag" sqlite; return; fi
  readme_transcript '^sqlite> ' '^   \.\.\.> ' '.print @@@' < "$RT/block"
  LD_PRELOAD="${DBK_PRELOAD:-}" sqlite3 -batch app.db < "$RT/script" > "$RT/out" 2>&1
  readme_assemble "$RT/out" '@@@' | readme_normalise > "$RT/got"
  readme_normalise < "$RT/want" > "$RT/want.n"
  if diff -u "$RT/want.n" "$RT/got" > "$RT/diff"; then
    check "readme/$id" "transcript: $RT_N commands, output as shown" same same
  else
    echo "FAIL sqlite/readme/$id transcript differs from README line $line (- README, + real):"
    sed 's/^/    /' "$RT/diff"
  fi
}
readme_each sqlite run_block > "$RT/results"
cat "$RT/results"
grep -q "^PASS sqlite/readme/" "$RT/results" || echo "FAIL sqlite/readme/blocks README has no SQLite transcript marked for this test"
