#!/usr/bin/env bash
# Container check: builds the Dockerfile's runtime stage with buildah around a
# static (musl) binary built here, runs it and checks it.
#
# Base images cannot be pulled on the project's machines and there is no Docker
# engine, so the Dockerfile's builder stage (the official Rust image) is replaced
# by a cargo build on this machine; the runtime stage is taken from the
# Dockerfile itself (only the COPY's source is changed), so the two cannot drift.
#
# The binary is built from a copy of exactly the files the builder stage COPYs,
# so a file the build needs that the Dockerfile leaves out fails here too.
#
# Checks: the binary is static; the Dockerfile's runtime stage is FROM scratch,
# USER 65532:65532, EXPOSE 8080 (= the binary's default PORT), ENTRYPOINT
# ["/obscaling"], one COPY and no RUN; the image holds only /obscaling, is under
# 25 MB and has the expected config and labels; the container serves /healthz
# and /readyz, runs as uid/gid 65532, and exits 0 promptly on SIGTERM.
#
# Usage: scripts/container-check.sh        (as root; installs what it lacks)
#   CARGO_TARGET_DIR   cargo's target directory (default: the repo's target/)
#   KEEP_IMAGE=1       keep the image localhost/obscaling:container-check
#
# Every wait is bounded; the container and (unless KEEP_IMAGE=1) the image are
# removed on exit, so a second run starts clean.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)

TARGET=x86_64-unknown-linux-musl
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$CARGO_TARGET_DIR/$TARGET/release/obscaling"
IMAGE=localhost/obscaling:container-check
CTR=obscaling-container-check
MAX_IMAGE_BYTES=25000000 # 25 MB: the brief's bound with the Arrow crates and the chart runtime
UID_GID=65532:65532
export BUILDAH_ISOLATION=chroot
BUILDAH=(buildah --storage-driver vfs)

passed=0
say() { printf 'container-check: %s\n' "$*"; }
ok() {
  passed=$((passed + 1))
  say "ok: $*"
}
died=""
die() {
  died=1
  say "FAILED: $*" >&2
  say "$passed passed, 1 failed"
  exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/obscaling-container-check.XXXXXX")
RUN_PID=""
SVC_PID=""

err_line=""
trap 'err_line=${err_line:-$LINENO}' ERR
cleanup() {
  local status=$?
  set +e
  if [[ "$status" != 0 && -z "$died" ]]; then
    say "FAILED: a command${err_line:+ at line $err_line} exited with status $status (see above)" >&2
    say "$passed passed, 1 failed"
  fi
  if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
    [[ -n "$SVC_PID" ]] && kill -TERM "$SVC_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$RUN_PID" 2>/dev/null; then
      [[ -n "$SVC_PID" ]] && kill -KILL "$SVC_PID" 2>/dev/null
      kill -TERM "$RUN_PID" 2>/dev/null
      sleep 1
      kill -KILL "$RUN_PID" 2>/dev/null
    fi
    wait "$RUN_PID" 2>/dev/null
  fi
  if command -v buildah >/dev/null; then
    timeout 60 "${BUILDAH[@]}" rm "$CTR" >/dev/null 2>&1
    if [[ "${KEEP_IMAGE:-0}" != 1 ]]; then
      timeout 60 "${BUILDAH[@]}" rmi "$IMAGE" >/dev/null 2>&1
    fi
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'died=1; say "FAILED: interrupted (SIGINT)" >&2; exit 130' INT
trap 'died=1; say "FAILED: interrupted (SIGTERM)" >&2; exit 143' TERM

# ---- 1. tools -----------------------------------------------------------------
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v curl >/dev/null || missing+=(curl)
command -v readelf >/dev/null || missing+=(binutils)
command -v timeout >/dev/null || missing+=(coreutils)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]} and not root to install them"
  say "installing ${missing[*]}"
  timeout 600 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v rustup >/dev/null || die "rustup not found (needed to add the $TARGET target)"
rustup target list --installed | grep -qx "$TARGET" || timeout 600 rustup target add "$TARGET"

# ---- 2. the Dockerfile's runtime stage -----------------------------------------
[[ -f Dockerfile ]] || die "no Dockerfile in $REPO"
# Raw text of the runtime (last) stage, from the last FROM line on, and of the
# builder stage(s) before it.
last_from=$(awk 'toupper($1) == "FROM" { n = NR } END { print n + 0 }' Dockerfile)
((last_from > 1)) || die "the Dockerfile has no builder stage before its runtime stage"
tail -n "+$last_from" Dockerfile >"$WORK/stage.raw"
head -n "$((last_from - 1))" Dockerfile >"$WORK/builder.raw"
# Instructions, continuation lines joined, comments and blank lines dropped.
instructions() {
  awk '
    /^[[:space:]]*#/ && cont == "" { next }
    {
      line = $0
      if (sub(/\\[[:space:]]*$/, "", line)) { cont = cont line " "; next }
      line = cont line; cont = ""
      gsub(/[[:space:]]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
      if (line != "") print line
    }' "$1"
}
instructions "$WORK/stage.raw" >"$WORK/stage.instr"
instructions "$WORK/builder.raw" >"$WORK/builder.instr"

stage_from=$(head -n1 "$WORK/stage.instr")
[[ "$stage_from" =~ ^[Ff][Rr][Oo][Mm]\ scratch(\ [Aa][Ss]\ [A-Za-z0-9_.-]+)?$ ]] ||
  die "Dockerfile runtime stage must be 'FROM scratch', found: $stage_from"
instr() { grep -iE "^$1( |$)" "$WORK/stage.instr" || true; }
[[ -z "$(instr RUN)" ]] || die "Dockerfile runtime stage has a RUN, but scratch has no shell"
[[ -z "$(instr ADD)" ]] || die "Dockerfile runtime stage has an ADD; the check only mirrors one COPY"
[[ "$(instr USER)" == "USER $UID_GID" ]] ||
  die "Dockerfile runtime stage must say 'USER $UID_GID', found: '$(instr USER)'"
expose=$(instr EXPOSE)
[[ "$expose" =~ ^EXPOSE\ ([0-9]+)(/tcp)?$ ]] ||
  die "Dockerfile runtime stage must EXPOSE one TCP port, found: '$expose'"
EXPOSED_PORT=${BASH_REMATCH[1]}
[[ "$EXPOSED_PORT" == 8080 ]] || die "Dockerfile EXPOSEs $EXPOSED_PORT, expected 8080"
[[ "$(instr ENTRYPOINT | tr -d ' ')" == 'ENTRYPOINT["/obscaling"]' ]] ||
  die "Dockerfile runtime stage must say 'ENTRYPOINT [\"/obscaling\"]', found: '$(instr ENTRYPOINT)'"
copies=$(instr COPY)
[[ $(printf '%s\n' "$copies" | grep -c .) == 1 ]] ||
  die "Dockerfile runtime stage must have exactly one COPY, found: ${copies:-none}"
[[ "$copies" =~ ^COPY\ (.*\ )?--from=builder\ .*\ /obscaling$ ]] ||
  die "Dockerfile runtime COPY must be '--from=builder ... /obscaling', found: $copies"
ok "Dockerfile runtime stage: $stage_from, $(instr USER), $expose, ENTRYPOINT [\"/obscaling\"], one COPY, no RUN"

# The same stage as a Containerfile whose single COPY takes the binary built
# here (flags other than --from are kept); every other line is verbatim.
awk '
  toupper($1) == "COPY" && /--from=builder/ {
    out = "COPY"
    for (i = 2; i < NF - 1; i++) if ($i ~ /^--/ && $i !~ /^--from=/) out = out " " $i
    print out " obscaling " $NF
    next
  }
  { print }' "$WORK/stage.raw" >"$WORK/Containerfile"

# ---- 3. the static binary -------------------------------------------------------
# Built from a copy of exactly the files the builder stage COPYs from the build
# context, so that a file the build needs but the Dockerfile leaves out (a
# declared bench, a build script) fails here as it would in `docker build`.
CONTEXT="$CARGO_TARGET_DIR/container-check/context"
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT"
copied=()
while read -r -a words; do
  [[ "${words[0]^^}" == COPY ]] || continue
  args=()
  for word in "${words[@]:1}"; do
    [[ "$word" == --from=* ]] && continue 2 # from another stage, not the context
    [[ "$word" == --* ]] || args+=("$word")
  done
  ((${#args[@]} >= 2)) || die "cannot read the builder's COPY: ${words[*]}"
  dest=${args[-1]}
  [[ "$dest" != /* && "$dest" != *..* ]] ||
    die "builder COPY destination must be relative to WORKDIR: ${words[*]}"
  for src in "${args[@]:0:${#args[@]}-1}"; do
    [[ -e "$src" && "$src" != /* && "$src" != *..* ]] ||
      die "the Dockerfile's builder stage copies '$src', which is not in the repository"
    if grep -qxE "/?${src%/}/?" .dockerignore 2>/dev/null; then
      die "the Dockerfile's builder stage copies '$src', which .dockerignore excludes"
    fi
    if [[ "$dest" == */ || "$dest" == . ]]; then
      mkdir -p "$CONTEXT/$dest"
      cp -a "$src" "$CONTEXT/$dest/"
    else
      ((${#args[@]} == 2)) || die "builder COPY of several files to a file: ${words[*]}"
      mkdir -p "$(dirname "$CONTEXT/$dest")"
      cp -a "$src" "$CONTEXT/$dest"
    fi
    copied+=("$src")
  done
done <"$WORK/builder.instr"
((${#copied[@]})) || die "the Dockerfile's builder stage copies nothing from the build context"
say "cargo build --release --locked --target $TARGET --bin obscaling, in a copy of what the builder stage COPYs (${copied[*]}); CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
(cd "$CONTEXT" && timeout 2700 cargo build --release --locked --target "$TARGET" --bin obscaling)
[[ -x "$BIN" ]] || die "cargo did not produce $BIN"
if readelf -lW "$BIN" | grep -q 'program interpreter'; then
  die "$BIN asks for an ELF interpreter: not static"
fi
if readelf -dW "$BIN" | grep -q '(NEEDED)'; then
  die "$BIN needs shared libraries: $(readelf -dW "$BIN" | grep '(NEEDED)' | tr -s ' ')"
fi
ok "static binary: $(command -v file >/dev/null && file -b "$BIN" | cut -d, -f1-4 || echo 'no interpreter, no NEEDED')"
default_port=$("$BIN" --help | sed -n 's/^ *PORT .*(default: \([0-9][0-9]*\))$/\1/p')
[[ "$default_port" == "$EXPOSED_PORT" ]] ||
  die "the binary's default PORT (${default_port:-not found in --help}) differs from EXPOSE $EXPOSED_PORT"
ok "binary's default PORT $default_port = EXPOSE $EXPOSED_PORT"

# ---- 4. the image ---------------------------------------------------------------
cp "$BIN" "$WORK/obscaling"
timeout 60 "${BUILDAH[@]}" rm "$CTR" >/dev/null 2>&1 || true # left over by a killed run
timeout 60 "${BUILDAH[@]}" rmi "$IMAGE" >/dev/null 2>&1 || true
build_args=(--build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || true)")
if source_url=$(git remote get-url origin 2>/dev/null); then
  build_args+=(--build-arg "SOURCE_URL=$source_url")
fi
say "buildah build (vfs, chroot isolation) of the Dockerfile's runtime stage"
timeout 300 "${BUILDAH[@]}" build --isolation chroot --pull=never --quiet "${build_args[@]}" \
  -f "$WORK/Containerfile" -t "$IMAGE" "$WORK" >/dev/null

inspect() { timeout 60 "${BUILDAH[@]}" inspect --type image --format "$1" "$IMAGE"; }
# Image size: the config blob plus the (uncompressed) layers.
size=$(inspect '{{.Manifest}}' | grep -o '"size":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
[[ "$size" -gt 0 ]] || die "could not read the image size"
size_mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')
((size < MAX_IMAGE_BYTES)) || die "image is $size bytes ($size_mb MB), not under 25 MB"
ok "image size $size bytes ($size_mb MB) < 25 MB"

user=$(inspect '{{.OCIv1.Config.User}}')
[[ "$user" == "$UID_GID" ]] || die "image User is '$user', expected $UID_GID"
# shellcheck disable=SC2016 # a Go template, not shell
ports=$(inspect '{{range $p, $_ := .OCIv1.Config.ExposedPorts}}{{$p}} {{end}}')
ports=${ports% }
[[ "$ports" == "$EXPOSED_PORT/tcp" ]] || die "image ExposedPorts is '$ports', expected $EXPOSED_PORT/tcp"
entrypoint=$(inspect '{{range .OCIv1.Config.Entrypoint}}"{{.}}" {{end}}')
[[ "$entrypoint" == '"/obscaling" ' ]] || die "image Entrypoint is $entrypoint"
entrypoint='["/obscaling"]'
env=$(inspect '{{range .OCIv1.Config.Env}}{{.}} {{end}}')
[[ " $env" == *" HOST=0.0.0.0 "* && " $env" == *" PORT=$EXPOSED_PORT "* ]] ||
  die "image Env lacks HOST=0.0.0.0 and PORT=$EXPOSED_PORT: $env"
license=$(inspect '{{index .OCIv1.Config.Labels "org.opencontainers.image.licenses"}}')
[[ "$license" == Apache-2.0 ]] || die "image licence label is '$license'"
ok "image config: User $user, ExposedPorts $ports, Entrypoint $entrypoint, HOST/PORT env, licence $license"

timeout 60 "${BUILDAH[@]}" from --name "$CTR" "$IMAGE" >/dev/null
mnt=$(timeout 60 "${BUILDAH[@]}" mount "$CTR")
contents=$(cd "$mnt" && find . -mindepth 1 | sort | tr '\n' ' ')
identical=yes
cmp -s "$mnt/obscaling" "$BIN" || identical=no
timeout 60 "${BUILDAH[@]}" umount "$CTR" >/dev/null
[[ "$contents" == "./obscaling " ]] || die "image holds more than /obscaling: $contents"
[[ "$identical" == yes ]] || die "/obscaling in the image differs from $BIN"
ok "image holds only /obscaling (the binary built above; no shell)"

# ---- 5. run it ------------------------------------------------------------------
port_free() { ! timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
PORT=""
start=$((18000 + RANDOM % 900))
for p in $(seq "$start" 18999) $(seq 18000 "$start"); do
  if port_free "$p"; then PORT=$p; break; fi
done
[[ -n "$PORT" ]] || die "no free port in 18000-18999 on 127.0.0.1"

# Chroot isolation keeps the host's network namespace, so the service is bound
# to 127.0.0.1 only. buildah run uses the image's User; run the entrypoint.
LOG="$WORK/container.log"
"${BUILDAH[@]}" run --isolation chroot --env HOST=127.0.0.1 --env "PORT=$PORT" \
  "$CTR" -- /obscaling >"$LOG" 2>&1 &
RUN_PID=$!
say "started the container (buildah run pid $RUN_PID) on 127.0.0.1:$PORT"

descendants() {
  local child
  # shellcheck disable=SC2013 # pids, separated by spaces
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
alive() { kill -0 "$RUN_PID" 2>/dev/null; }
URL="http://127.0.0.1:$PORT"
healthz=""
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  alive || die "the container exited before serving: $(cat "$LOG")"
  if healthz=$(curl -fsS --max-time 2 "$URL/healthz" 2>/dev/null); then break; fi
  healthz=""
  sleep 0.2
done
[[ -n "$healthz" ]] || die "no answer from $URL/healthz within 60 s: $(cat "$LOG")"
# The service's own process: buildah run -> buildah-chroot-runtime ->
# buildah-chroot-exec -> /obscaling (comm "obscaling" once exec'd).
deadline=$((SECONDS + 10))
while [[ -z "$SVC_PID" ]] && ((SECONDS < deadline)); do
  for pid in $(descendants "$RUN_PID"); do
    [[ "$(cat /proc/"$pid"/comm 2>/dev/null)" == obscaling ]] && SVC_PID=$pid
  done
  [[ -n "$SVC_PID" ]] || sleep 0.1
done
[[ -n "$SVC_PID" ]] || die "cannot find the obscaling process under buildah run (pid $RUN_PID)"
[[ "$healthz" == *'"ok"'* ]] || die "unexpected /healthz body: $healthz"
ok "GET /healthz -> 200 $healthz (curl from the host to the container's process; chroot isolation shares the host network namespace)"
readyz=$(curl -fsS --max-time 5 "$URL/readyz") || die "GET /readyz failed"
ok "GET /readyz -> 200 $readyz"

# From inside the container: `obscaling --healthcheck`, run in the container's
# root, is the only client the image has. Used as soon as the binary offers it.
inside=$(timeout 20 "${BUILDAH[@]}" run --isolation chroot --env HOST=127.0.0.1 --env "PORT=$PORT" \
  "$CTR" -- /obscaling --healthcheck 2>&1) || die "/obscaling --healthcheck inside the container failed: $inside"
ok "healthcheck from inside the container (/obscaling --healthcheck): ${inside:-exit 0}"

uid=$(awk '/^Uid:/ { print $2 ":" $3 }' /proc/"$SVC_PID"/status)
gid=$(awk '/^Gid:/ { print $2 ":" $3 }' /proc/"$SVC_PID"/status)
[[ "$uid" == 65532:65532 && "$gid" == 65532:65532 ]] ||
  die "the service runs as uid $uid gid $gid (real:effective), expected 65532"
ok "the service (pid $SVC_PID) runs as uid 65532, gid 65532"

# SIGTERM to the service, as `docker stop` and the kubelet send it to PID 1.
stop_start=$(date +%s%N)
kill -TERM "$SVC_PID"
deadline=$((SECONDS + 10))
while alive && ((SECONDS < deadline)); do sleep 0.1; done
alive && die "still running 10 s after SIGTERM"
rc=0
wait "$RUN_PID" || rc=$?
RUN_PID=""
[[ "$rc" == 0 ]] || die "exit code $rc after SIGTERM (expected 0): $(cat "$LOG")"
stop_ms=$((($(date +%s%N) - stop_start) / 1000000))
ok "SIGTERM: exited with code 0 after $stop_ms ms"

say "$passed passed, 0 failed"
