# tests/timing.sh — the TIME lines of `make check`: how long a part or a script took, in
# wall-clock seconds and in CPU seconds (user + system) of every process it started, the servers
# it started included.  Sourced by tests/run-all.sh and tests/pg/run.sh.
#
#   timed ID CMD...   runs CMD (a command or a shell function, in a subshell), then prints "TIME ID <wall> s wall, <cpu> s cpu" and returns
#                     CMD's status.  With TIMED_TO=FILE, the line is added to FILE instead.
#
# A server that pg_ctl starts leaves the process tree of the script that started it, so the CPU
# time of the script's children (bash's `times`) misses it.  A control group does not: each
# timed command runs in a cgroup v2 group of its own, under the caller's, whose cpu.stat counts
# every process started inside, daemons included, and whose total its parent keeps when the
# group is removed.  Where no cgroup v2 hierarchy is writable (not root; a chroot without
# /sys), the line says "cpu n/a".  TIME lines are not tests: run-all.sh counts only PASS and FAIL.

# The cgroup v2 directory the calling process is in, or nothing.
_timing_cgroup_dir() {
  local mnt rel
  mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo 2>/dev/null)
  rel=$(sed -n 's/^0:://p' /proc/self/cgroup 2>/dev/null)
  [ -n "$mnt" ] && [ -n "$rel" ] && [ -w "$mnt$rel" ] || return 1
  printf '%s\n' "${mnt%/}${rel%/}"
}

_timing_usage() { sed -n 's/^usage_usec //p' "$1/cpu.stat" 2>/dev/null; }

timed() {
  local id=$1 t0 parent cg rc cpu="n/a" usec wall pid to=${TIMED_TO:-}
  shift
  t0=$EPOCHREALTIME
  cg=""
  if parent=$(_timing_cgroup_dir); then
    cg=$parent/dbk-time-$BASHPID-$RANDOM
    mkdir "$cg" 2>/dev/null || cg=""
  fi
  (
    # A group this shell cannot enter is removed: the line then says n/a.
    [ -n "$cg" ] && { echo "$BASHPID" >"$cg/cgroup.procs" || rmdir "$cg"; } 2>/dev/null
    unset TIMED_TO
    "$@"
  )
  rc=$?
  if [ -n "$cg" ] && [ -d "$cg" ]; then
    usec=$(_timing_usage "$cg")
    [ -n "$usec" ] && cpu=$(awk -v u="$usec" 'BEGIN { printf "%.1f", u / 1e6 }')
    # Whatever CMD left running (a server a failed test did not stop) goes back to the parent
    # group, so that this one can be removed.
    while read -r pid; do echo "$pid" >"$parent/cgroup.procs" 2>/dev/null; done <"$cg/cgroup.procs"
    rmdir "$cg" 2>/dev/null
  fi
  wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  if [ -n "$to" ]; then
    echo "TIME $id $wall s wall, $cpu s cpu" >>"$to"
  else
    echo "TIME $id $wall s wall, $cpu s cpu"
  fi
  return $rc
}
