#!/usr/bin/env bash
# tests/sqlite/t_codelist_diff.sh — the randomized differential test of the
# codelist functions (tests/codelist/differential.py) on SQLite: random
# releases, rules, release changes and searches, each answered by dbkeeper and
# by an independent reference of OpenCodelists' rule, without and with an
# index on parent; statuses asked twice per connection (the second may come
# from the cache).  The first disagreement is printed shrunk.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/sqlite/lib.sh"

cases=300
[ "$DBK_HEAVY" = 0 ] && cases=60
for variant in plain indexed; do
  python3 "$ROOT/tests/codelist/differential.py" sqlite "$DBK_SQLITE_EXT" "$T/diff-$variant.db" \
    --cases "$cases" --label "sqlite/codelist-diff/$variant" --preload "${DBK_PRELOAD:-}" \
    $([ $variant = indexed ] && echo --index)
done
