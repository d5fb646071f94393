# tests/pg/version.sh — which PostgreSQL the PostgreSQL tests run on.  Sourced
# by tests/pg/run.sh, lib.sh, virtualenv.sh and the scripts that start
# clusters of their own; sets
#
#   PG_MAJOR  the major version (DBK_PG_VERSION, or the one pg_config reports)
#   PGBIN     its bin directory (DBK_PGBIN, or Debian's /usr/lib/postgresql/N/bin)
#
# On the host that is PostgreSQL 15; tests/pg/chroot.sh runs the same scripts
# inside a Debian chroot with DBK_PG_VERSION=17 or 18.
PG_MAJOR=${DBK_PG_VERSION:-$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')}
PG_MAJOR=${PG_MAJOR:-15}
PGBIN=${DBK_PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
export DBK_PG_VERSION=$PG_MAJOR DBK_PGBIN=$PGBIN
