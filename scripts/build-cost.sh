#!/usr/bin/env bash
# What a revision costs to build and ship: for each git revision given
# (default: the commit before the Parquet and Arrow readers, 2b424cd, and
# HEAD), a clean `cargo build --release --locked` of the static musl binary
# the image holds (its wall time, on this machine, one revision after the
# other), the binary's size, and the size of a FROM-scratch image holding
# it (config plus uncompressed layer, as scripts/container-check.sh counts).
# Run it on a quiet machine: the times are only comparable within one run.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-musl
BUILDAH=(buildah --storage-driver vfs)
revs=("$@")
((${#revs[@]})) || revs=(2b424cd HEAD)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/obscaling-build-cost.XXXXXX")
cleanup() {
  for dir in "$WORK"/src-*; do [ -d "$dir" ] && git worktree remove --force "$dir" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT

rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
command -v buildah >/dev/null || { echo "build-cost: needs buildah (scripts/container-check.sh installs it)"; exit 1; }

rows=()
for rev in "${revs[@]}"; do
  commit=$(git rev-parse --short "$rev^{commit}")
  src="$WORK/src-$commit"
  git worktree add --detach "$src" "$commit" >/dev/null 2>&1
  target="$WORK/target-$commit"
  echo "build-cost: $rev ($commit): clean cargo build --release --locked --target $TARGET"
  start=$(date +%s.%N)
  (cd "$src" && CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet --target "$TARGET" --bin obscaling)
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  bin="$target/$TARGET/release/obscaling"
  bin_bytes=$(stat -c %s "$bin")
  image="localhost/obscaling-build-cost:$commit"
  ctr=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$ctr" "$bin" /obscaling >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/obscaling"]' "$ctr"
  "${BUILDAH[@]}" commit --quiet "$ctr" "$image" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  image_bytes=$("${BUILDAH[@]}" inspect --type image --format '{{.Manifest}}' "$image" |
    grep -o '"size":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
  "${BUILDAH[@]}" rmi "$image" >/dev/null
  rm -rf "$target"
  rows+=("| $rev ($commit) | $seconds | $bin_bytes | $image_bytes |")
done

echo
echo "| revision | clean build (s) | binary (bytes) | image (bytes) |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "machine: $(nproc) cores, $(rustc --version)"
