#!/usr/bin/env bash
# bench/editions.sh — measures a site with several editions, as the editions issue asks: "with
# three editions of 10,000 synthetic projects each, a full build stays within 1.5× of copying its
# own output, and the preview's rebuild after one edit in the latest edition stays under a second".
#
# Builds roadmap and the examples (release), generates (or reuses) a corpus of EDITIONS editions of
# N projects each (examples/corpus.rs --editions), then measures, in alternating rounds with
# hyperfine (`sync` before each run, each run into a directory that does not exist yet):
#   - the full build (`roadmap build`);
#   - the I/O floor: `cp -r` of that build's own output tree;
#   - both again with the trees in memory (RAM_DIR, default /dev/shm), where the disk's state does
#     not move the ratio;
# and, with examples/preview_rebuild.rs, the preview's rebuild after a budget edit in the latest
# edition (RUNS edits after a first full build).
#
# Usage: bench/editions.sh [N]   (default 10000)
# Environment: EDITIONS (default 3; 0: the projects directly in content/, a site without editions,
#              for comparison), ROUNDS (default 3), RUNS (default 5), SEED (default 1),
#              BENCH_DIR (work folder, default ${TMPDIR:-/tmp}/roadmap-bench), RAM_DIR (a tmpfs
#              for the rounds in memory, default /dev/shm).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/roadmap-bench}
N=${1:-10000}
EDITIONS=${EDITIONS:-3}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
SEED=${SEED:-1}

say() { printf '\n== %s\n' "$*" >&2; }
for tool in hyperfine cargo; do
  command -v "$tool" >/dev/null || { echo "bench/editions.sh needs $tool" >&2; exit 2; }
done

say "building roadmap and the examples (release)"
(cd "$REPO" && cargo build --release --quiet --bin roadmap --example corpus --example preview_rebuild)
TARGET=${CARGO_TARGET_DIR:-target}
[[ $TARGET == /* ]] || TARGET=$REPO/$TARGET
COMMIT=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if (cd "$REPO" && git status --porcelain 2>/dev/null | grep -qv '^??'); then
  COMMIT="$COMMIT (with uncommitted changes)"
fi
mkdir -p "$WORK"
for bin in roadmap examples/corpus examples/preview_rebuild; do
  cp "$TARGET/release/$bin" "$WORK/$(basename "$bin")"
done

# The corpus, reused when the generator, the real content and the parameters are unchanged; its
# config, vocabulary and theme are always refreshed from the repository.
root=$WORK/editions-$EDITIONS-$N
key=$( (cat "$REPO/examples/corpus.rs"; find "$REPO/content" -name '*.md' -print0 | sort -z | xargs -0 cat; echo "$N $SEED $EDITIONS") | sha256sum | cut -c1-32)
if [[ -f $root/.bench-key && $(cat "$root/.bench-key") == "$key" ]]; then
  cp "$REPO/config.toml" "$root/config.toml"
  cp "$REPO/content/vocabulary.toml" "$root/content/vocabulary.toml"
  rm -rf "$root/themes" && cp -r "$REPO/themes" "$root/themes"
else
  say "generating $EDITIONS editions of $N projects"
  "$WORK/corpus" --count "$N" --seed "$SEED" --editions "$EDITIONS" --out "$root" --repo "$REPO" >&2
  echo "$key" >"$root/.bench-key"
fi
"$WORK/roadmap" check --quiet --root "$root" >/dev/null

# On a journal-less ext4 inodes freed in the last minute are skipped, slowly, when files are
# created (see README.md): after deleting an earlier run's outputs, wait that minute out.
out=$WORK/editions-out
if [[ -d $out ]]; then
  rm -rf "$out"
  say "deleted an earlier run's outputs; waiting 60 s"
  sleep 60
fi
mkdir -p "$out"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say "warm-up build (also the tree the floor copies)"
"$WORK/roadmap" build --quiet --root "$root" --output "$out/ref"
files=$(find "$out/ref" -type f | wc -l)
pages=$(find "$out/ref" -name '*.html' | wc -l)
size=$(du -sm "$out/ref" | cut -f1)

say "$ROUNDS alternating rounds of the full build and cp -r of its output"
: >"$WORK/editions-times.txt"
for ((i = 1; i <= ROUNDS; i++)); do
  hyperfine --style none --runs 1 --prepare sync --export-csv "$WORK/round.csv" \
    -n build "'$WORK/roadmap' build --quiet --root '$root' --output '$out/build-$i'" \
    -n cp "cp -r '$out/ref' '$out/cp-$i'" >/dev/null
  awk -F, 'NR > 1 { print $1, $4 }' "$WORK/round.csv" >>"$WORK/editions-times.txt"
done
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
build_med=$(awk '$1 == "build" { print $2 }' "$WORK/editions-times.txt" | median)
cp_med=$(awk '$1 == "cp" { print $2 }' "$WORK/editions-times.txt" | median)
builds=$(awk '$1 == "build" { printf "%.2f ", $2 }' "$WORK/editions-times.txt")
cps=$(awk '$1 == "cp" { printf "%.2f ", $2 }' "$WORK/editions-times.txt")

# The same rounds in memory (tmpfs), where file creation costs the same for every run: the disk's
# speed moves the ratio above from one run to the next (README.md, eighth round), this one shows
# what the build itself adds to a copy. Needs room for three trees and the build's own memory.
RAM_DIR=${RAM_DIR:-/dev/shm}
ram_line="| in memory | skipped: $RAM_DIR has not room for three copies of the output and the build (set RAM_DIR) | | | |"
ram_free=$(df -Pm "$RAM_DIR" 2>/dev/null | awk 'NR == 2 { print $4 }')
mem_free=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
if [[ -n $ram_free && $ram_free -gt $((size * 3)) && $mem_free -gt $((size * 5)) ]]; then
  say "$ROUNDS alternating rounds in memory ($RAM_DIR)"
  ram=$(mktemp -d "$RAM_DIR/roadmap-bench.XXXXXX")
  cp -r "$out/ref" "$ram/ref"
  # The disk rounds' outputs fill the page cache (dirty, being written back): gone first, so that
  # neither the build nor the copy has to win its memory back from them.
  rm -rf "$out"
  : >"$WORK/editions-ram-times.txt"
  for ((i = 1; i <= ROUNDS; i++)); do
    hyperfine --style none --runs 1 --export-csv "$WORK/round.csv" \
      -n build "'$WORK/roadmap' build --quiet --root '$root' --output '$ram/build'" \
      -n cp "cp -r '$ram/ref' '$ram/cp'" >/dev/null
    awk -F, 'NR > 1 { print $1, $4 }' "$WORK/round.csv" >>"$WORK/editions-ram-times.txt"
    rm -rf "$ram/build" "$ram/cp"
  done
  rm -rf "$ram"
  ram_build=$(awk '$1 == "build" { print $2 }' "$WORK/editions-ram-times.txt" | median)
  ram_cp=$(awk '$1 == "cp" { print $2 }' "$WORK/editions-ram-times.txt" | median)
  ram_builds=$(awk '$1 == "build" { printf "%.2f ", $2 }' "$WORK/editions-ram-times.txt")
  ram_cps=$(awk '$1 == "cp" { printf "%.2f ", $2 }' "$WORK/editions-ram-times.txt")
  ram_line=$(awk -v b="$ram_build" -v c="$ram_cp" -v bs="$ram_builds" -v cs="$ram_cps" 'BEGIN { printf "| in memory | %.3f | %.3f | %.2f× | %s | %s |", b, c, b / c, bs, cs }')
fi
rm -rf "$out"
say "deleted the rounds' outputs; waiting 60 s before the preview creates files"
sleep 60

say "the preview's rebuild after a budget edit in the latest edition ($RUNS edits)"
"$WORK/preview_rebuild" --root "$root" --runs "$RUNS" | tee "$WORK/rebuild.txt" >&2
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

cat <<EOF

## Editions: $([[ $EDITIONS == 0 ]] && echo "$N projects without edition folders" || echo "$EDITIONS × $N projects") ($(date -u +%Y-%m-%d))

- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average $LOAD_START at the start, $LOAD_END at the end
- roadmap $COMMIT; $(hyperfine --version); corpus seed $SEED
- Output: $files files, $pages pages, $size MB

| output on | full build median s | cp -r floor median s | build/floor | rounds (build) | rounds (cp) |
| --- | ---: | ---: | ---: | --- | --- |
$(awk -v b="$build_med" -v c="$cp_med" -v bs="$builds" -v cs="$cps" 'BEGIN { printf "| disk | %.3f | %.3f | %.2f× | %s | %s |", b, c, b / c, bs, cs }')
$ram_line

Preview rebuild (examples/preview_rebuild.rs):

\`\`\`text
$(cat "$WORK/rebuild.txt")
\`\`\`
EOF
