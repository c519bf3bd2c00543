#!/usr/bin/env bash
# bench/run.sh — the performance benchmark of issue #7, in one command.
#
# Builds roadmap (release) and the synthetic corpus generator, generates (or reuses) corpora of N
# projects, then for each N builds the site with roadmap and the equivalent Hugo site (bench/hugo/)
# into fresh directories, alternating the two, and measures:
#   - median wall time of each (hyperfine, one run per command per round, rounds alternate);
#   - peak memory (maximum resident set size) and CPU use of one run of each (/usr/bin/time -v);
#   - the I/O floor: the median time of `cp -r` of roadmap's output tree into a fresh directory.
# It prints a Markdown table and writes it, with the machine and the date, to bench/results-<date>.md.
#
# Usage: bench/run.sh [N ...]        (default: 27 1000 10000 50000; 27 is the real content/)
#        QUICK=1 bench/run.sh        (27 and 1000 only, 3 rounds: a smoke test of a minute or two)
# Environment: BENCH_DIR (work folder, default ${TMPDIR:-/tmp}/roadmap-bench), SEED (default 1),
#              ROUNDS (override the number of alternating rounds for every N).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/roadmap-bench}
SEED=${SEED:-1}
if [[ $# -gt 0 ]]; then
  SIZES=("$@")
elif [[ ${QUICK:-0} == 1 ]]; then
  SIZES=(27 1000)
else
  SIZES=(27 1000 10000 50000)
fi

say() { printf '\n== %s\n' "$*" >&2; }

# Rounds of alternating runs per size: fewer for the big sizes, whose runs are long and steady.
rounds_for() {
  if [[ -n ${ROUNDS:-} ]]; then echo "$ROUNDS"; return; fi
  if [[ ${QUICK:-0} == 1 ]]; then echo 3; return; fi
  if (( $1 <= 1000 )); then echo 10; elif (( $1 <= 10000 )); then echo 5; else echo 3; fi
}

# --- tools --------------------------------------------------------------------------------------
missing=()
command -v hugo >/dev/null || missing+=(hugo)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if (( ${#missing[@]} )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (Debian packages)"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench/run.sh needs: ${missing[*]} (Debian: apt-get install -y ${missing[*]})" >&2
    exit 2
  fi
fi
command -v cargo >/dev/null || { echo "bench/run.sh needs cargo" >&2; exit 2; }

say "building roadmap and the corpus generator (release)"
(cd "$REPO" && cargo build --release --quiet --bin roadmap --example corpus)
# The version under test, read when it is built (the work tree may change during a long run).
COMMIT=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if (cd "$REPO" && git status --porcelain 2>/dev/null | grep -qv '^??'); then
  COMMIT="$COMMIT (with uncommitted changes)"
fi
mkdir -p "$WORK"
# Copies of the binaries and of the real site, so that every size measures the same version with
# the theme it was built with.
# Cargo's target folder: $CARGO_TARGET_DIR when set (relative to the repository, where cargo ran).
TARGET=${CARGO_TARGET_DIR:-target}
[[ $TARGET == /* ]] || TARGET=$REPO/$TARGET
cp "$TARGET/release/roadmap" "$WORK/roadmap"
cp "$TARGET/release/examples/corpus" "$WORK/corpus"
BIN=$WORK/roadmap
GEN=$WORK/corpus
SITE=$WORK/site-27
rm -rf "$SITE" && mkdir -p "$SITE"
cp -r "$REPO/config.toml" "$REPO/content" "$REPO/themes" "$SITE/"
HUGO_SITE=$REPO/bench/hugo

# The folder of a site's project files, which the Hugo site reads as its content: content/ itself
# (a synthetic corpus), or the latest edition's folder (the real site keeps its sheets in
# content/r6/ …; Hugo models one edition).
projects_dir() {
  local content=$1/content latest
  if compgen -G "$content/*.md" >/dev/null; then echo "$content"; return; fi
  latest=$(find "$content" -mindepth 1 -maxdepth 1 -type d -name 'r[0-9]*' -printf '%f\n' | sort -V | tail -n 1)
  echo "$content/$latest"
}

# Hugo reads the vocabulary as data; the content folder's copy is ignored as content.
mkdir -p "$WORK/hugo-data"
cp "$SITE/content/vocabulary.toml" "$WORK/hugo-data/vocabulary.toml"

# --- corpora ------------------------------------------------------------------------------------
# A corpus is reused when the generator, the real content, N and the seed are unchanged; its
# config, vocabulary and theme are always refreshed from the repository, so the build under test
# reads the same theme as the binary under test.
corpus_root() {
  local n=$1
  if [[ $n == 27 ]]; then echo "$SITE"; return; fi
  local root=$WORK/corpus-$n
  local key
  key=$( (cat "$REPO/examples/corpus.rs"; find "$SITE/content" -name '*.md' -print0 | sort -z | xargs -0 cat; echo "$n $SEED") | sha256sum | cut -c1-32)
  if [[ -f $root/.bench-key && $(cat "$root/.bench-key") == "$key" ]]; then
    cp "$SITE/config.toml" "$root/config.toml"
    cp "$SITE/content/vocabulary.toml" "$root/content/vocabulary.toml"
    rm -rf "$root/themes" && cp -r "$SITE/themes" "$root/themes"
  else
    "$GEN" --count "$n" --seed "$SEED" --out "$root" --repo "$SITE" >&2
    echo "$key" >"$root/.bench-key"
  fi
  echo "$root"
}

# The median of the numbers on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs a command under /usr/bin/time -v; prints "peak_MB cpu_percent wall_s".
peak() {
  local log=$WORK/time.log
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; return 1; }
  awk -F': ' '
    /Maximum resident set size/ { mb = $2 / 1024 }
    /Percent of CPU this job got/ { cpu = $2 }
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
    END { printf "%.0f %s %.2f\n", mb, cpu, wall }' "$log"
}


# Deletes a size's output trees. On a journal-less ext4 (as on the benchmark machine) inodes freed in
# the last 60 s are skipped, slowly, when new files are created, so after a large deletion the next
# size waits for that window to pass rather than measure the kernel's bookkeeping.
clean_outputs() {
  local dir=$1 files
  [[ -d $dir ]] || return 0
  files=$(find "$dir" -type f | wc -l)
  rm -rf "$dir"
  if (( files > 20000 )); then
    say "deleted $files files; waiting 60 s before the next measurements"
    sleep 60
  fi
}

DATE=$(date -u +%Y-%m-%d)
RESULTS=$REPO/bench/results-$DATE.md
ROWS=()
EXTRA=()
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

for d in "$WORK"/out-*; do clean_outputs "$d"; done

for n in "${SIZES[@]}"; do
  say "N = $n: corpus"
  root=$(corpus_root "$n")
  "$BIN" check --root "$root" >/dev/null
  out=$WORK/out-$n
  mkdir -p "$out"
  rounds=$(rounds_for "$n")

  say "N = $n: peak memory (one run each, also a warm-up)"
  r_peak=$(peak "$BIN" build --root "$root" --output "$out/roadmap-ref")
  h_peak=$(peak env HUGO_DATADIR="$WORK/hugo-data" HUGO_RESOURCEDIR="$WORK/hugo-resources" hugo --source "$HUGO_SITE" --quiet --minify \
    --contentDir "$(projects_dir "$root")" --destination "$out/hugo-ref")
  read -r r_mb r_cpu _ <<<"$r_peak"
  read -r h_mb h_cpu _ <<<"$h_peak"
  pages=$(find "$out/roadmap-ref" -name '*.html' | wc -l)
  r_files=$(find "$out/roadmap-ref" -type f | wc -l)
  r_size=$(du -sm "$out/roadmap-ref" | cut -f1)
  h_pages=$(find "$out/hugo-ref" -name '*.html' | wc -l)
  h_size=$(du -sm "$out/hugo-ref" | cut -f1)

  say "N = $n: $rounds alternating rounds of roadmap and hugo"
  : >"$WORK/times-$n.txt"
  for ((i = 1; i <= rounds; i++)); do
    # Each command writes into a directory that does not exist yet; `sync` before each run keeps the
    # previous run's write-back out of the measurement.
    hyperfine --style none --runs 1 --prepare sync --export-csv "$WORK/round.csv" \
      -n roadmap "$BIN build --root '$root' --output '$out/roadmap-$i'" \
      -n hugo "HUGO_DATADIR='$WORK/hugo-data' HUGO_RESOURCEDIR='$WORK/hugo-resources' hugo --source '$HUGO_SITE' --quiet --minify --contentDir '$(projects_dir "$root")' --destination '$out/hugo-$i'" \
      >/dev/null
    awk -F, 'NR > 1 { print $1, $4 }' "$WORK/round.csv" >>"$WORK/times-$n.txt"
  done
  r_med=$(awk '$1 == "roadmap" { print $2 }' "$WORK/times-$n.txt" | median)
  h_med=$(awk '$1 == "hugo" { print $2 }' "$WORK/times-$n.txt" | median)

  say "N = $n: I/O floor (cp -r of roadmap's output tree)"
  hyperfine --style none --runs "$rounds" --prepare sync --export-csv "$WORK/cp.csv" \
    -n cp "cp -r '$out/roadmap-ref' '$out'/cp-\$(date +%s%N)" >/dev/null
  cp_med=$(awk -F, 'NR == 2 { print $4 }' "$WORK/cp.csv")

  row=$(awk -v n="$n" -v p="$pages" -v r="$r_med" -v h="$h_med" -v c="$cp_med" -v rm="$r_mb" -v hm="$h_mb" \
    'BEGIN { printf "| %d | %d | %.3f | %.3f | %.1f× | %.3f | %.2f× | %d | %d |", n, p, r, h, h / r, c, r / c, rm, hm }')
  extra="| $n | $r_files | $r_size | $r_cpu | $h_pages | $h_size | $h_cpu |"
  ROWS+=("$row")
  EXTRA+=("$extra")
  echo "$row" >&2
  clean_outputs "$out"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------------------------
report=$(
  cat <<EOF
## Results $DATE

- Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr); output on $(df -T "$WORK" | awk 'NR == 2 { print $2 }') ($WORK)
- Load average (1, 5, 15 min): $LOAD_START at the start, $LOAD_END at the end
- roadmap $COMMIT; $(hugo version | cut -d' ' -f1-2); $(hyperfine --version); corpus seed $SEED
- Times are medians of alternating runs, each into a fresh directory; the floor is \`cp -r\` of roadmap's output tree.

| N | pages | roadmap median s | hugo median s | hugo/roadmap | cp floor s | roadmap/floor | peak MB roadmap | peak MB hugo |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${ROWS[@]}")

| N | roadmap files | roadmap output MB | roadmap CPU | hugo pages | hugo output MB | hugo CPU |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${EXTRA[@]}")
EOF
)
printf '\n%s\n' "$report"
printf '%s\n' "$report" >"$RESULTS"
echo "written to ${RESULTS#"$REPO"/}" >&2
