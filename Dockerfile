# A small image holding the gauntlet binary, for the sharded bench of
# docs/distributed.md (`gauntlet kube job`). Standard multi-stage build; it is
# NOT tested on the machines Gauntlet is developed on (no container engine runs
# there): build and try it on yours.
#
#   docker build -t registry.example/gauntlet:0.1 .
#   docker push registry.example/gauntlet:0.1

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p gauntlet \
 && cp target/release/gauntlet /gauntlet

FROM debian:bookworm-slim
COPY --from=build /gauntlet /usr/local/bin/gauntlet
USER 65532:65532
ENTRYPOINT ["gauntlet"]
