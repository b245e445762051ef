# Sourced by the scripts that drive the running service from Node
# (browser-test.sh, charts-test.sh): builds the debug binary, starts it on a
# free 127.0.0.1 port and waits until /healthz answers. Sets $port, $server
# and $log (the service's output, for the caller to show on failure); the
# EXIT trap stops the service and removes the log.
# The binary is the one `cargo test` builds: a plain `cargo build --bin`
# resolves the features without the dev-dependencies' and builds every
# dependency a second time; after `.ci/run`'s test build this is a no-op.
timeout 1800 cargo test --quiet --no-run --test api
binary="${CARGO_TARGET_DIR:-target}/debug/obscaling"
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
log=$(mktemp)
HOST=127.0.0.1 PORT="$port" "$binary" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT

healthy() {
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
        "http://127.0.0.1:$port/healthz"
}
for _ in $(seq 1 100); do
    healthy && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
healthy || { echo "the service did not become healthy:"; cat "$log"; exit 1; }
