# Sourced by the scripts that drive a built binary from Python over HTTP
# (complete-protocol.sh and complete-boards.sh with an optimised one,
# schemathesis.sh with the debug one): starts "$binary" on a free 127.0.0.1
# port with the service's default settings (the default deadline: every
# request must be answered within it, as a client's would) and waits until
# /healthz answers. Sets $port, $server and $log (the service's output, for
# the caller to show on failure); the EXIT trap stops the service and removes
# the log.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp)
HOST=127.0.0.1 PORT="$port" "$binary" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the service did not start:"; cat "$log"; exit 1; }
