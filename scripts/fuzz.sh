#!/usr/bin/env bash
# Fuzzes the body paths of POST /v1/pca into the analysis core
# (fuzz/fuzz_targets: pca_json, pca_csv with wide and long tables,
# pca_parquet, pca_arrow and pca_lm_eval, the last three with POST /v1/inspect
# too) with cargo-fuzz / libFuzzer.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
#
# env: FUZZ_TARGETS    targets to run (default "pca_json pca_csv pca_parquet pca_arrow pca_lm_eval")
#      FUZZ_SANITIZER  cargo fuzz -s: address (default) or none (faster, no memory checks)
#      CARGO_TARGET_DIR  default /tmp/fuzz-target
#
# Installs cargo-fuzz if missing. cargo-fuzz passes nightly -Z flags, so on the
# stable toolchain this runs with RUSTC_BOOTSTRAP=1. Each target starts from
# its seeds (fuzz/seeds/<target>, tracked) plus the working corpus
# (fuzz/corpus/<target>, git-ignored, grows across runs), with the dictionary
# fuzz/dict/<target>.dict. Prints each target's executions; exits 1 if any
# target crashed (a panic, a broken invariant, a timeout over 10 s or an
# out-of-memory), with the input and the run's full log under
# fuzz/artifacts/<target>/ (git-ignored).
# The typed-table targets mutate the fixtures byte by byte from their edit
# seeds; keep a crash they find as the body it decodes to
# (fuzz/seeds/<target>/crash-*), which tests/api/fuzz_corpus.rs replays.
# Reproduce / minimise a crash:
#   RUSTC_BOOTSTRAP=1 cargo fuzz run  -a <target> fuzz/artifacts/<target>/crash-...
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin -a <target> fuzz/artifacts/<target>/crash-...
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [seconds per target]" >&2
    exit 2
fi
TARGETS="${FUZZ_TARGETS:-pca_json pca_csv pca_parquet pca_arrow pca_lm_eval}"
SANITIZER="${FUZZ_SANITIZER:-address}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/fuzz-target}"
export RUSTC_BOOTSTRAP=1
log() { printf '== %s\n' "$*" >&2; }

if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

cd "$REPO"
log "building the fuzz targets (-s $SANITIZER, debug assertions on, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
for target in $TARGETS; do cargo fuzz build -a -s "$SANITIZER" "$target"; done

LOGS="$(mktemp -d /tmp/obscaling-fuzz.XXXXXX)"
trap 'rm -rf "$LOGS"' EXIT
failed=0
summary=()
for target in $TARGETS; do
    # Absolute paths: cargo fuzz runs the target from the fuzz/ directory.
    mkdir -p "$REPO/fuzz/corpus/$target" "$REPO/fuzz/artifacts/$target"
    # The typed-table targets also start from every fixture as an edit seed
    # (0xED, fixture index, query index, no edit yet: fuzz/src/lib.rs
    # table_input), so that most inputs are fixtures a few bytes off.
    if [ "$target" = pca_arrow ] || [ "$target" = pca_parquet ]; then
        for i in $(seq 0 15); do
            printf "\\xed\\x$(printf %02x "$i")\\x$(printf %02x $((i % 4)))" >"$REPO/fuzz/corpus/$target/edit-$i"
        done
    fi
    log "fuzzing $target for ${SECONDS_PER_TARGET} s"
    dict=()
    [ -s "$REPO/fuzz/dict/$target.dict" ] && dict=(-dict="$REPO/fuzz/dict/$target.dict")
    rc=0
    timeout $((SECONDS_PER_TARGET + 600)) cargo fuzz run -a -s "$SANITIZER" "$target" \
        "$REPO/fuzz/corpus/$target" "$REPO/fuzz/seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" "${dict[@]}" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$LOGS/$target.log" 2>&1 || rc=$?
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOGS/$target.log" | tail -n 1 | grep -o '[0-9]*$' || true)"
    [ -n "$execs" ] || execs="$(grep -o '^Done [0-9]* runs' "$LOGS/$target.log" | tail -n 1 | grep -o '[0-9]\+' || true)"
    [ -n "$execs" ] || execs="$(grep -o '^#[0-9]*' "$LOGS/$target.log" | tail -n 1 | tr -d '#' || true)"
    cov="$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$LOGS/$target.log" | tail -n 1 || true)"
    grep -E '^Done [0-9]+ runs|stat::' "$LOGS/$target.log" >&2 || true
    if [ "$rc" = 0 ]; then
        summary+=("PASS: $target: ${execs:-?} executions in ${SECONDS_PER_TARGET} s, no crash ($cov)")
    else
        failed=$((failed + 1))
        keep="$REPO/fuzz/artifacts/$target/run-$(date +%Y%m%d-%H%M%S).log"
        cp "$LOGS/$target.log" "$keep"
        echo "--- $target: exit $rc; the panic, then the end of libFuzzer's output (all of it: $keep):" >&2
        grep -A 3 'panicked at' "$LOGS/$target.log" | head -n 20 >&2 || true
        grep -v '^#[0-9]' "$LOGS/$target.log" | tail -n 40 >&2
        artifact="$(grep -o "[^ ]*fuzz/artifacts/$target/[a-z]*-[0-9a-f]*" "$LOGS/$target.log" | tail -n 1 || true)"
        if [ -n "$artifact" ]; then
            summary+=("FAIL: $target: crashed after ${execs:-?} executions; input: $artifact")
        else
            summary+=("FAIL: $target: exit $rc, no crash input written (see the output above)")
        fi
    fi
done
printf '%s\n' "${summary[@]}"
total=$(echo "$TARGETS" | wc -w)
echo "fuzz: $((total - failed)) passed, $failed failed"
[ "$failed" = 0 ]
