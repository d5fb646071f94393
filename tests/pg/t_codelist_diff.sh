#!/usr/bin/env bash
# tests/pg/t_codelist_diff.sh — the randomized differential test of the
# codelist functions (tests/codelist/differential.py) on PostgreSQL: random
# releases (text and bigint codes), rules, release changes and searches,
# answered by dbkeeper and by an independent reference of OpenCodelists'
# rule, without and with an index on parent; statuses asked twice per
# session after VACUUM (the second may come from the backend's cache of
# compiled releases).  The first disagreement is printed shrunk.
# Prints PASS/FAIL lines pg_codelist/diff/<variant>.  The extension must
# already be installed (tests/pg/run.sh holds the install lock).
set -u
SUITE=pg_codelist
cd "$(dirname "$0")/../.." || exit 1
. tests/pg/lib.sh
start_cluster
createdb diff && q -d diff -c "CREATE EXTENSION dbkeeper" >/dev/null
for variant in plain indexed; do
  python3 tests/codelist/differential.py postgresql diff --cases 300 --label "pg_codelist/diff/$variant" \
    $([ $variant = indexed ] && echo --index)
done
