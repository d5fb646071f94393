#!/usr/bin/env bash
# tests/pg/regress_db_build.sh — PostgreSQL's regression database, built the
# way pg_upgrade's and pg_dump's own tests build it, on a running cluster.
#
#   tests/pg/regress_db_build.sh SOCKET_DIR PORT OUT_DIR
#
# 1. The regression suite's source: the source package of the server's own
#    major version (PG_MAJOR, tests/pg/version.sh) from Debian's archive.  A deb-src entry for the archive the machine already
#    uses is added if there is none (a copy of debian.sources with
#    Types: deb-src).  The installed minor release is tried first; the
#    archive may no longer serve it, so the others `apt-cache showsrc` lists
#    are tried, newest first.  Only src/test/regress and contrib/spi are
#    unpacked, under DBK_REGRESS_CACHE (default build/regress-src-N), which
#    later runs reuse; tests/pg/chroot.sh points it into the chroot's
#    /var/cache, which outlives the copied tree.
# 2. regress.so, autoinc.so and refint.so built there with PGXS.
# 3. pg_regress with the core parallel_schedule against the cluster at
#    SOCKET_DIR:PORT (superuser postgres), as the postgres user; it leaves the
#    database `regression` behind.  Its results go to OUT_DIR (writable by
#    postgres).  A few tests fail when the suite's minor release is not the
#    server's; that does not matter: the database is the test object.
#
# Prints what it does on stderr; exits non-zero if the database could not be
# built.  Needs root for apt-get (tests/deps.sh installs the build tools).
set -euo pipefail
cd "$(dirname "$0")/../.."
SOCK=$1 PORT=$2 OUT=$3
. tests/pg/version.sh
PG_CONFIG=$PGBIN/pg_config
PKG=postgresql-$PG_MAJOR
PG_REGRESS=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress
CACHE=${DBK_REGRESS_CACHE:-$PWD/build/regress-src-$PG_MAJOR}
log() { echo "regress_db_build: $*" >&2; }

# ---------------------------------------------------------------- 1. source
have_deb_src() {
  grep -rqsE '^(Types:.*\bdeb-src\b|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/
}
fetch_source() {
  local dir=$1 installed v
  if ! have_deb_src; then
    log "adding a deb-src entry for the archive in /etc/apt/sources.list.d/debian.sources"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/dbkeeper-deb-src.sources
    apt-get update -qq >&2
  elif ! apt-cache showsrc "$PKG" >/dev/null 2>&1 ||
       [ -z "$(apt-cache showsrc "$PKG" 2>/dev/null)" ]; then
    apt-get update -qq >&2
  fi
  installed=$(dpkg-query -W -f='${Version}' "$PKG")
  mkdir -p "$dir"
  for v in "$installed" $(apt-cache showsrc "$PKG" | sed -n 's/^Version: //p' | sort -rVu | grep -vxF "$installed"); do
    log "apt-get source $PKG=$v"
    if (cd "$dir" && apt-get source --download-only -qq "$PKG=$v" >&2 2>/dev/null); then
      echo "$v"
      return 0
    fi
  done
  return 1
}

if [ ! -f "$CACHE/ready" ]; then
  rm -rf "$CACHE"
  version=$(fetch_source "$CACHE/download") || { log "no $PKG source could be downloaded"; exit 1; }
  tarball=$(ls "$CACHE"/download/"${PKG}"_*.orig.tar.*)
  upstream=${version%%-*}
  log "unpacking the regression suite of $upstream"
  tar -C "$CACHE" -xf "$tarball" "postgresql-$upstream/src/test/regress" "postgresql-$upstream/contrib/spi"
  ln -sfn "postgresql-$upstream" "$CACHE/src"
  rm -rf "$CACHE/download"
  printf '%s\n' "$version" >"$CACHE/ready"
fi
SRC=$CACHE/src/src/test/regress
SPI=$CACHE/src/contrib/spi
LIB=$CACHE/lib

# ---------------------------------------------------------------- 2. modules
if [ ! -f "$LIB/regress.so" ] || [ ! -f "$LIB/refint.so" ] || [ ! -f "$LIB/autoinc.so" ]; then
  log "building regress.so, autoinc.so and refint.so with PGXS"
  printf 'MODULES = regress\nPG_CPPFLAGS = -I%s\nPGXS := $(shell %s --pgxs)\ninclude $(PGXS)\n' \
    "$SRC" "$PG_CONFIG" >"$SRC/Makefile.dbkeeper"
  printf 'MODULES = autoinc refint\nPGXS := $(shell %s --pgxs)\ninclude $(PGXS)\n' "$PG_CONFIG" >"$SPI/Makefile.dbkeeper"
  make -s -C "$SRC" -f Makefile.dbkeeper with_llvm=no >&2
  make -s -C "$SPI" -f Makefile.dbkeeper with_llvm=no >&2
  mkdir -p "$LIB"
  cp "$SRC/regress.so" "$SPI/autoinc.so" "$SPI/refint.so" "$LIB/"
fi
chmod -R a+rX "$CACHE"

# ---------------------------------------------------------------- 3. pg_regress
log "pg_regress parallel_schedule ($(cat "$CACHE/ready")) into port $PORT"
(cd "$SRC" && runuser -u postgres -- "$PG_REGRESS" --inputdir="$SRC" --outputdir="$OUT" --bindir="$PGBIN" \
   --dlpath="$LIB" --host="$SOCK" --port="$PORT" --user=postgres --schedule="$SRC/parallel_schedule" \
   --max-concurrent-tests=20 >"$OUT/pg_regress.log" 2>&1) || true
cp "$CACHE/ready" "$OUT/suite-version"
tail -3 "$OUT/pg_regress.log" | sed 's/^/regress_db_build: /' >&2
psql -X -At -h "$SOCK" -p "$PORT" -U postgres -d regression -c "SELECT 1" >/dev/null
