#!/usr/bin/env bash
# tests/pg/chroot.sh N [COMMAND...] — the PostgreSQL suite on PostgreSQL N
# (17 or 18) inside a Debian chroot; with COMMAND, runs that instead (in the
# copy of the repository, as root), e.g. `tests/pg/chroot.sh 17 bash`.
#
# The chroot is Debian's own build of that version: 17 from Debian 13
# (trixie), 18 from forky (testing), bootstrapped with `debootstrap
# --variant=minbase` from the mirror the host uses, with the packages of
# `tests/deps.sh --chroot N` installed.  It is kept between runs in
# $DBK_CHROOT_CACHE/chroot-N (/var/cache/dbkeeper) and rebuilt when missing or
# when that package list changed.
#
# Each run copies the working tree (without build products) to
# /build/dbkeeper in the chroot, unless the copy there has the same files,
# and runs tests/pg/run.sh there: the
# extension is built with that version's PGXS and installed into the
# chroot's server, pg_regress and every tests/pg/t_*.sh run against it.
# PASS/FAIL lines come out prefixed with pgN/.  DBK_PG_ONLY passes through;
# the regression suite t_regression_db.sh builds its database from is kept
# in the chroot's /var/cache/dbkeeper-regress-src-N.  DBK_CHROOT_SHARE=DIR
# hands DIR's files to the command in a directory of this run's own, and
# takes back what it leaves there (tests/pg/cross_version.sh).
#
# /proc, /dev and /dev/shm are mounted in a private mount namespace
# (unshare), so they vanish with the run whatever way it ends.  A run holds
# /tmp/dbkeeper-pgN.lock on the host for its whole length: a second run on
# the same version (another checkout) waits, and never shares the chroot's
# installed extension.  Needs root.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
V=${1:?usage: tests/pg/chroot.sh VERSION [COMMAND...]}
shift
TAG=pg$V
say_fail() { echo "FAIL $TAG/chroot $*"; }

case $V in
  17) RELEASE=trixie SCRIPT=trixie ;;
  # Debian 12's debootstrap has no script for forky; sid's is the same.
  18) RELEASE=forky SCRIPT=/usr/share/debootstrap/scripts/sid ;;
  *) say_fail "no Debian release with PostgreSQL $V is known here (17, 18)"; exit 1 ;;
esac
if [ "$(id -u)" -ne 0 ]; then say_fail "needs root (debootstrap, chroot, mounts)"; exit 1; fi
for tool in debootstrap unshare chroot flock; do
  command -v "$tool" >/dev/null || { say_fail "$tool is missing (tests/deps.sh installs it)"; exit 1; }
done

MIRROR=${DBK_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CACHE=${DBK_CHROOT_CACHE:-/var/cache/dbkeeper}
DIR=$CACHE/chroot-$V
mapfile -t PACKAGES < <(tests/deps.sh --chroot "$V")
STAMP="$RELEASE deb-src ${PACKAGES[*]}"
LOG=$ROOT/build/chroot-$V.log
mkdir -p "$ROOT/build" "$CACHE"

. tests/timing.sh
# The lock guards the chroot's installed extension; a chroot of a cache of
# one's own (DBK_CHROOT_CACHE) has a lock of its own.
if [ "$CACHE" = /var/cache/dbkeeper ]; then LOCK=/tmp/dbkeeper-$TAG.lock; else LOCK=$CACHE/chroot-$V.lock; fi
exec 8>"$LOCK"
timed "$TAG/chroot-lock-wait" flock 8

# in_chroot CMD...: runs CMD as root in the chroot (in /build/dbkeeper when
# it exists), with /proc, /dev and /dev/shm mounted in a mount namespace of
# its own, so that the mounts vanish with it however it ends.
in_chroot() {
  unshare --mount --propagation private bash -c '
    dir=$1; shift
    { mount -t proc proc "$dir/proc" && mount --bind /dev "$dir/dev" &&
      mount -t tmpfs -o mode=1777 shm "$dir/dev/shm"; } || exit 1
    # /sys for the control groups that time each script (tests/timing.sh).
    mount --rbind /sys "$dir/sys" 2>/dev/null || true
    exec chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
      bash -c "cd /build/dbkeeper 2>/dev/null || cd /; exec \"\$@\"" inner "$@"
  ' mounts "$DIR" "$@"
}

# build_chroot: debootstrap into DIR.new, then the packages; DIR appears only
# when complete, so an interrupted build is started over next time.
build_chroot() {
  local new=$DIR.new
  rm -rf "$new"
  echo "building the $RELEASE chroot for PostgreSQL $V in $DIR (log: $LOG)"
  # forky's Release file may be past its Valid-Until on a snapshot mirror;
  # debootstrap does not look at that date, apt inside the chroot does.
  if ! debootstrap --variant=minbase "$RELEASE" "$new" "$MIRROR" $SCRIPT >"$LOG" 2>&1; then
    tail -20 "$LOG"; say_fail "debootstrap of $RELEASE failed"; return 1
  fi
  echo 'Acquire::Check-Valid-Until "false";' > "$new/etc/apt/apt.conf.d/99dbkeeper"
  # No service starts inside the chroot (the packages' main cluster).
  printf '#!/bin/sh\nexit 101\n' > "$new/usr/sbin/policy-rc.d"
  chmod 755 "$new/usr/sbin/policy-rc.d"
  mv "$new" "$DIR"
}

install_packages() {
  rm -f "$DIR/.dbkeeper-stamp"
  # Source packages too: `apt-get source postgresql-N` in the chroot gives
  # that version's regression suite.
  grep -q '^deb-src ' "$DIR/etc/apt/sources.list" ||
    sed -n 's/^deb /deb-src /p' "$DIR/etc/apt/sources.list" >>"$DIR/etc/apt/sources.list"
  if ! in_chroot bash -c 'dpkg --configure -a; apt-get update -qq &&
        apt-get install -y -qq --no-install-recommends "$@"' \
        apt "${PACKAGES[@]}" >>"$LOG" 2>&1; then
    tail -20 "$LOG"; say_fail "installing ${PACKAGES[*]} in the chroot failed"; return 1
  fi
  printf '%s\n' "$STAMP" > "$DIR/.dbkeeper-stamp"
}

if [ ! -d "$DIR" ]; then timed "$TAG/debootstrap" build_chroot || exit 1; fi
if [ "$(cat "$DIR/.dbkeeper-stamp" 2>/dev/null)" != "$STAMP" ]; then
  timed "$TAG/chroot-packages" install_packages || exit 1
fi

# The working tree, as it is, without what a build leaves.  A copy of the
# same files (names, contents, times), as the cross-version test finds after
# the suite of one `make check`, is kept with what was built in it.
tree() {
  tar -C "$ROOT" --sort=name --exclude=./.git --exclude=./build --exclude='*.o' --exclude='*.so' \
      --exclude='*.bc' --exclude=./pg_ext/regress -cf - .
}
copy_tree() {
  local sum
  sum=$(tree | sha256sum | cut -d' ' -f1)
  [ "$(cat "$DIR/build/dbkeeper.tree" 2>/dev/null)" = "$sum" ] && return 0
  rm -rf "$DIR/build/dbkeeper" "$DIR/build/dbkeeper.tree"
  mkdir -p "$DIR/build/dbkeeper"
  chmod 755 "$DIR/build" "$DIR/build/dbkeeper"
  tree | tar -C "$DIR/build/dbkeeper" -xf - && printf '%s\n' "$sum" >"$DIR/build/dbkeeper.tree"
}
timed "$TAG/copy" copy_tree

if [ $# -eq 0 ]; then
  set -- bash tests/pg/run.sh
fi
# DBK_CHROOT_SHARE=HOSTDIR: HOSTDIR's files are copied into a directory of
# this run's own under the chroot's /build, named to the command by
# DBK_CHROOT_SHARE, and what is there when the command ends is copied back
# to HOSTDIR; the directory goes at exit.  (A fixed one was shared by every
# run on the machine: two at once removed each other's files.)
share=
if [ -n "${DBK_CHROOT_SHARE:-}" ]; then
  share=$(mktemp -d "$DIR/build/share.XXXXXX") || { say_fail "no hand-over directory in $DIR/build"; exit 1; }
  trap 'rm -rf "$share"' EXIT
  chmod 755 "$share"
  cp -a "$DBK_CHROOT_SHARE/." "$share/" || { say_fail "copying $DBK_CHROOT_SHARE into the chroot failed"; exit 1; }
fi
set -- env "DBK_PG_VERSION=$V" "DBK_PG_ONLY=${DBK_PG_ONLY:-}" \
  DBK_REGRESS_CACHE=/var/cache/dbkeeper-regress-src-$V ${share:+"DBK_CHROOT_SHARE=/build/${share##*/}"} "$@"
in_chroot "$@" 2>&1 | sed -u -E "s#^(PASS|FAIL|TIME) pg/#\\1 $TAG/#; t; s#^(PASS|FAIL|TIME) #\\1 $TAG/#"
rc=${PIPESTATUS[0]}
if [ -n "$share" ]; then
  cp -a "$share/." "$DBK_CHROOT_SHARE/" || { say_fail "copying the hand-over directory back failed"; rc=1; }
fi
exit "$rc"
