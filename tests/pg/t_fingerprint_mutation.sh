#!/usr/bin/env bash
# Mutation test of the PostgreSQL schema fingerprint (issue 23): random
# schemas from a seeded generator, each in two spellings and with one single
# change at a time, against pg_dump -s as the oracle
# (tests/pg/fingerprint_mutation.py says how).  Also checks that odd session
# settings and a role with no privileges leave the fingerprint alone.
# DBK_FPMUT_SEED, DBK_FPMUT_SCHEMAS and DBK_FPMUT_CHANGES change the seed
# (fixed, so that a failure repeats), the number of schemas and the changes
# per schema.  Prints PASS/FAIL lines pg_fp_mutation/<id>.  The
# extension must already be installed (tests/pg/run.sh holds the install lock).
set -u
cd "$(dirname "$0")/../.." || exit 1
SUITE=pg_fp_mutation
. tests/pg/lib.sh
start_cluster
python3 tests/pg/fingerprint_mutation.py "$SUITE" "${DBK_FPMUT_SEED:-23}" \
  "${DBK_FPMUT_SCHEMAS:-25}" "${DBK_FPMUT_CHANGES:-10}" || fail run "the generator stopped (exit $?)"
