# obscaling container image: a static (musl) binary on an empty base image.
#
#   docker build -t obscaling .
#   docker run --rm -p 8080:8080 obscaling
#
# Base images cannot be pulled on the project's machines, so
# scripts/container-check.sh builds the runtime stage below with buildah around
# a static binary built on the host, runs it and checks it. That script reads
# this file and fails if the runtime stage drifts from what it checks
# (FROM scratch, one COPY --from=builder to /obscaling, USER 65532:65532,
# EXPOSE 8080, ENTRYPOINT ["/obscaling"], no RUN): keep each instruction of the
# runtime stage on one line, except LABEL.

# ---- builder: the official Rust image, producing a static musl binary --------
FROM rust:1-bookworm AS builder

RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add x86_64-unknown-linux-musl

WORKDIR /src

# Dependencies first, built against stub sources, so that a change under src/
# rebuilds only this crate and not the whole dependency tree. Cargo checks that
# every target the manifest declares exists (the [[bench]] too), so the benches
# come in with the manifest; tests and examples are found by directory and are
# not needed. scripts/container-check.sh builds from exactly the files these
# COPYs take, so a missing one fails there too.
COPY Cargo.toml Cargo.lock ./
COPY benches ./benches
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked --target x86_64-unknown-linux-musl --bin obscaling \
 && rm -rf src

# The dashboard's page and example are compiled into the binary.
COPY assets ./assets
COPY src ./src
# COPY keeps the build context's modification times, which can be older than
# the stub build above; touch so that cargo rebuilds the real crate. Then make
# sure the result is the real, static binary: no ELF interpreter, no shared
# libraries, and `--help` lists the settings (the stub prints nothing).
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --target x86_64-unknown-linux-musl --bin obscaling \
 && cp target/x86_64-unknown-linux-musl/release/obscaling /obscaling \
 && ! readelf -lW /obscaling | grep -q 'program interpreter' \
 && ! readelf -dW /obscaling | grep -q NEEDED \
 && /obscaling --help | grep -q PORT

# ---- runtime: nothing but the binary; no shell, no package manager -----------
FROM scratch

# Set the source URL and revision when building: docker build
#   --build-arg SOURCE_URL=<repository URL> --build-arg REVISION="$(git rev-parse HEAD)"
ARG SOURCE_URL=""
ARG REVISION=""
LABEL org.opencontainers.image.title="obscaling" \
      org.opencontainers.image.description="HTTP JSON service for the capability measures of Observational Scaling Laws (PCA of model x benchmark leaderboards)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${REVISION}"

COPY --from=builder /obscaling /obscaling

# scratch has no /etc/passwd, so the user is numeric (65532 is distroless's "nonroot").
USER 65532:65532
EXPOSE 8080
ENV HOST=0.0.0.0 PORT=8080
# No shell or curl in scratch: the binary probes itself (GET /healthz on PORT).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/obscaling", "--healthcheck"]
ENTRYPOINT ["/obscaling"]
