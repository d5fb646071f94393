# tests/readme/lib.sh — README.md's examples, run as written.  Sourced by
# tests/sqlite/t_readme.sh and tests/pg/t_readme.sh.
#
# A fenced block of README.md is a test when the line before its opening
# fence is an HTML comment (GitHub does not show it):
#
#   <!-- test: ENGINE[ OPTION...] -->
#
# ENGINE is the tag a runner asks for (sqlite, pg, pg-conf, ...).  A block
# whose lines start with a prompt ("sqlite> ", or "<database>=# " for psql,
# continued by "   ...> " or "<database>-# ") is a transcript: each command
# is run, and what it prints must be what the block shows after it, once
# both are normalised (readme_normalise: times and per-machine names).
# Any other block is run as it stands and must succeed.
#
README=${README:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/README.md}

# readme_blocks PREFIX: prints "START <id> <readme line> <tag> <options>",
# then the block's lines, for every block whose tag is PREFIX or starts with
# "PREFIX-", in README order.  The id is the heading above the block, in
# lower case with "-" between words, under its section's, and the block's
# number under it ("recipes/nightly-postgresql-backups-with-pg-cron/2"): it
# stays when other sections change.
readme_blocks() {
  awk -v p="$1" '
    /^##+ / && want != 2 { t = tolower($0); sub(/^#+ /, "", t); gsub(/[^a-z0-9]+/, "-", t)
                           gsub(/^-|-$/, "", t); k = 0
                           if ($0 ~ /^## /) { h2 = t; h = t } else h = h2 "/" t }
    /^<!-- test: / { split($0, w, " "); t = w[3]
                     if (t == p || index(t, p "-") == 1) { want = 1; tag = t; opts = ""
                       for (i = 4; i < length(w); i++) opts = opts " " w[i]; next } }
    want == 1 && /^```/ { want = 2; k++; print "START " h "/" k " " NR + 1 " " tag opts; next }
    want == 1 { want = 0 }
    want == 2 && /^```/ { want = 0; next }
    want == 2 { print }' "$README"
}

# readme_each PREFIX FUNCTION: calls FUNCTION ID LINE TAG OPTIONS with each
# block of readme_blocks PREFIX on its standard input.
readme_each() {
  local all id line tag opts
  all=$(mktemp)
  readme_blocks "$1" > "$all"
  while read -r _ id line tag opts; do
    awk -v id="$id" '/^START / { cur = $2; next } cur == id' "$all" | "$2" "$id" "$line" "$tag" "$opts"
  done < <(grep '^START ' "$all")
  rm -f "$all"
}

# readme_normalise: what differs from run to run or machine to machine.
readme_normalise() {
  sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z/YYYY-MM-DDTHH-MM-SSZ/g' \
         -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|\+00)?/YYYY-MM-DD HH:MM:SS/g' \
         -e 's/\bapp\.[0-9a-f]{8}\b/app.XXXXXXXX/g' \
         -e 's/^(Parse|Runtime) error near line [0-9]+: /\1 error: /' \
         -e 's/^psql:<stdin>:[0-9]+: //' \
         -e 's/pid [0-9]+/pid N/g' -e 's/[[:space:]]+$//' |
    sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# readme_transcript PROMPT_RE CONT_RE MARK_CMD: reads a transcript block on
# stdin; writes $RT/script (each command after the line MARK_CMD <i>) and
# $RT/cmd.<i> (the command's lines as the block shows them, prompts included)
# and $RT/want (the block).  Sets RT_N, the number of commands.
readme_transcript() {
  local prompt=$1 cont=$2 mark=$3 line i=0 in_cmd=0
  : > "$RT/script"; : > "$RT/want"
  while IFS= read -r line; do
    printf '%s\n' "$line" >> "$RT/want"
    if [[ $line =~ $prompt ]]; then
      i=$((i + 1)); in_cmd=1
      printf '%s %s\n%s\n' "$mark" "$i" "${line#"${BASH_REMATCH[0]}"}" >> "$RT/script"
      printf '%s\n' "$line" > "$RT/cmd.$i"
    elif [ $in_cmd = 1 ] && [[ $line =~ $cont ]]; then
      printf '%s\n' "${line#"${BASH_REMATCH[0]}"}" >> "$RT/script"
      printf '%s\n' "$line" >> "$RT/cmd.$i"
    else
      in_cmd=0
    fi
  done
  RT_N=$i
}

# readme_assemble OUT MARK: the transcript as it ran: each command as the
# block shows it, then what it printed (OUT split at the lines "MARK <i>").
readme_assemble() {
  local out=$1 mark=$2 i
  awk -v mark="$mark" -v dir="$RT" '
    index($0, mark " ") == 1 { i = substr($0, length(mark) + 2); f = dir "/out." i; printf "" > f; next }
    i { print >> f }' "$out"
  for i in $(seq 1 "$RT_N"); do
    cat "$RT/cmd.$i"
    [ -f "$RT/out.$i" ] && cat "$RT/out.$i"
  done
}
