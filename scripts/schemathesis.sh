#!/usr/bin/env bash
# Fuzzes the running service against its own OpenAPI document with
# schemathesis (every check; settings in ../schemathesis.toml): no server
# errors, no response that breaks the spec, no accepted request the spec
# forbids and no rejected request it allows (the data-dependent 422s excepted).
# Bounded: a fixed seed, a fixed number of examples and a time budget.
# One worker: CPython 3.11's ast.parse is not thread-safe (gh-106905), and
# hypothesis parses lambda sources while describing strategies, so two
# worker threads can fail a run with "AST constructor recursion depth
# mismatch" that has nothing to do with the service.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m schemathesis.cli --version >/dev/null 2>&1 || command -v schemathesis >/dev/null 2>&1 ||
    python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'

# The binary the api tests run (CARGO_BIN_EXE_obscaling), built as `cargo
# test` builds it: a plain `cargo build --bin` would resolve the features
# without the dev-dependencies' (tokio's, for one) and build every dependency
# a second time; after `.ci/run`'s test build this is a no-op.
cargo test --quiet --no-run --test api
binary="${CARGO_TARGET_DIR:-target}/debug/obscaling"
. scripts/lib/serve-binary.sh

schemathesis run "http://127.0.0.1:$port/openapi.json" \
    --checks all \
    --seed "${SCHEMATHESIS_SEED:-20261126}" \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-150}" \
    --max-time "${SCHEMATHESIS_MAX_TIME:-90}" \
    --workers 1 \
    --continue-on-failure \
    --no-color
