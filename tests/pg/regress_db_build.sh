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
#    When no version of it can be downloaded (the archive may list a source
#    whose pool files it no longer serves: trixie's postgresql-17
#    17.12-0+deb13u1 answered 404 on 2026-12-06, in trixie-security too), the
#    nearest suite the archive does serve is used: for 17, postgresql-18
#    from forky, fetched with an apt configuration of its own (the system's
#    sources are left as they are).  Its regress.c is built against this
#    server with what that server lacks stubbed out (regress_fallback_fixes);
#    the tests that need the newer server fail, which does not matter here.
#    The suite used is written to OUT_DIR/suite-version.
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
  local dir=$1
  if ! have_deb_src; then
    log "adding a deb-src entry for the archive in /etc/apt/sources.list.d/debian.sources"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/dbkeeper-deb-src.sources
    apt-get update -qq >&2
  elif ! apt-cache showsrc "$PKG" >/dev/null 2>&1 ||
       [ -z "$(apt-cache showsrc "$PKG" 2>/dev/null)" ]; then
    apt-get update -qq >&2
  fi
  try_versions "$dir" "$PKG" system_apt
}

# system_apt COMMAND ARGS...: apt-cache for showsrc, apt-get otherwise
system_apt() {
  if [ "$1" = showsrc ]; then apt-cache "$@"; else apt-get "$@"; fi
}

# try_versions DIR PKG APT: downloads PKG's source into DIR with APT (a
# function as system_apt), the installed version first, then the others the
# archive lists, newest first; prints the version
try_versions() {
  local dir=$1 pkg=$2 apt=$3 installed v
  installed=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
  mkdir -p "$dir"
  for v in $installed $("$apt" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -rVu | grep -vxF "${installed:-none}"); do
    log "apt-get source $pkg=$v"
    if (cd "$dir" && "$apt" source --download-only -qq "$pkg=$v" >&2 2>/dev/null); then
      echo "$v"
      return 0
    fi
  done
  return 1
}

# The nearest suite when this version's own cannot be downloaded: the next
# major version's, from the Debian release that packages it.
case $PG_MAJOR in
  17) FALLBACK_PKG=postgresql-18 FALLBACK_RELEASE=forky ;;
  *) FALLBACK_PKG= FALLBACK_RELEASE= ;;
esac

# fallback_apt COMMAND ARGS...: system_apt with deb-src of FALLBACK_RELEASE
# only, in a state directory of its own under the cache
fallback_apt() {
  local tool=apt-get
  [ "$1" = showsrc ] && tool=apt-cache
  "$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts="$APT_DIR/parts" \
    -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache" \
    -o Acquire::Check-Valid-Until=false "$@"
}
fetch_fallback_source() {
  local dir=$1 mirror
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)}
  APT_DIR=$CACHE/apt
  mkdir -p "$APT_DIR/parts" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  printf 'deb-src %s %s main\n' "${mirror:-http://deb.debian.org/debian}" "$FALLBACK_RELEASE" >"$APT_DIR/sources.list"
  log "apt-get update for deb-src $FALLBACK_RELEASE"
  fallback_apt update -qq >&2 || return 1
  try_versions "$dir" "$FALLBACK_PKG" fallback_apt
}

# regress_fallback_fixes DIR: makes a newer suite's C files (regress.c,
# autoinc.c, refint.c) build against this older server: a header forced into
# each (PG_MODULE_MAGIC_EXT of 18 is 17's PG_MODULE_MAGIC; 18's
# IsCatalogTextUniqueIndexOid answers false), and test_relpath, written for
# 18's RelPathStr, is left out (its CREATE FUNCTION fails, as a test may).
# psql_pipeline leaves the schedule: 17's psql knows no \startpipeline, so
# the \watch that test expects to be refused inside a pipeline runs forever.
regress_fallback_fixes() {
  local dir=$1
  cat >"$dir/fallback_compat.h" <<'H'
/* made by tests/pg/regress_db_build.sh: a newer regression suite on an older server */
#define PG_MODULE_MAGIC_EXT(...) PG_MODULE_MAGIC
#define IsCatalogTextUniqueIndexOid(oid) false
H
  sed -i '/^PG_FUNCTION_INFO_V1(test_relpath);/,/^}/d' "$dir/src/src/test/regress/regress.c"
  sed -i 's/ psql_pipeline\b//' "$dir/src/src/test/regress/parallel_schedule"
}

if [ ! -f "$CACHE/ready" ]; then
  rm -rf "$CACHE"
  src_pkg=$PKG
  if ! version=$(fetch_source "$CACHE/download"); then
    [ -n "$FALLBACK_PKG" ] || { log "no $PKG source could be downloaded"; exit 1; }
    log "no $PKG source could be downloaded; trying $FALLBACK_PKG from $FALLBACK_RELEASE"
    src_pkg=$FALLBACK_PKG
    version=$(fetch_fallback_source "$CACHE/download") ||
      { log "no $PKG source could be downloaded, nor $FALLBACK_PKG from $FALLBACK_RELEASE"; exit 1; }
  fi
  tarball=$(ls "$CACHE"/download/"${src_pkg}"_*.orig.tar.*)
  upstream=${version%%-*}
  log "unpacking the regression suite of $upstream"
  tar -C "$CACHE" -xf "$tarball" "postgresql-$upstream/src/test/regress" "postgresql-$upstream/contrib/spi"
  ln -sfn "postgresql-$upstream" "$CACHE/src"
  rm -rf "$CACHE/download" "$CACHE/apt"
  if [ "$src_pkg" != "$PKG" ]; then
    regress_fallback_fixes "$CACHE"
    version="$version of $src_pkg from $FALLBACK_RELEASE (no $PKG source could be downloaded)"
  fi
  printf '%s\n' "$version" >"$CACHE/ready"
fi
SRC=$CACHE/src/src/test/regress
SPI=$CACHE/src/contrib/spi
LIB=$CACHE/lib

# ---------------------------------------------------------------- 2. modules
if [ ! -f "$LIB/regress.so" ] || [ ! -f "$LIB/refint.so" ] || [ ! -f "$LIB/autoinc.so" ]; then
  log "building regress.so, autoinc.so and refint.so with PGXS"
  forced=
  [ -f "$CACHE/fallback_compat.h" ] && forced="-include $CACHE/fallback_compat.h"
  printf 'MODULES = regress\nPG_CPPFLAGS = -I%s %s\nPGXS := $(shell %s --pgxs)\ninclude $(PGXS)\n' \
    "$SRC" "$forced" "$PG_CONFIG" >"$SRC/Makefile.dbkeeper"
  printf 'MODULES = autoinc refint\nPG_CPPFLAGS = %s\nPGXS := $(shell %s --pgxs)\ninclude $(PGXS)\n' \
    "$forced" "$PG_CONFIG" >"$SPI/Makefile.dbkeeper"
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
