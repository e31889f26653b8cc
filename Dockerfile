# socialgate in a container (docs/operations.md, "Install"). Two stages on Debian 12:
# - build: the project's own `make build` (scripts/install-deps installs the toolchain and the
#   -dev packages, CMake's release preset builds), so the image's binary is built exactly as
#   on a developer's machine or in CI;
# - runtime: Debian 12 slim with only the libraries the binary links, as a non-root user.
# `make test` checks, without Docker, that the runtime stage's package list covers every
# library the release binary links (deploy/check-dockerfile).
#
#   docker build -t socialgate .
#   docker run --rm -p 8080:8080 socialgate          # the demo (config/demo.toml)
#   docker run --rm -p 8080:8080 -v /srv/sg:/etc/socialgate:ro -v sg-data:/var/lib/socialgate \
#     socialgate serve --config /etc/socialgate/socialgate.toml --listen 0.0.0.0:8080

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The dependencies first (the toolchain, make included), in a layer of their own that a source
# change does not rebuild; `make build` runs the same script again and finds nothing missing.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps
COPY . .
RUN make build

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
# What the binary links (readelf -d: deploy/check-dockerfile keeps this list complete), libmagic's
# database, and the CA certificates for Meta's API.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      libc6 libgcc-s1 libstdc++6 libcurl4 libfmt9 libjemalloc2 libmagic1 libphonenumber8 \
      libpq5 libprotobuf32 libre2-9 libsimdjson14 libsodium23 libspdlog1.10 libsqlite3-0 libssl3 \
      libsystemd0 libtomlplusplus3 \
      libmagic-mgc ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A system user with a fixed id (Kubernetes' runAsNonRoot checks the number).
RUN groupadd --system --gid 10001 socialgate \
 && useradd --system --uid 10001 --gid socialgate --home-dir /var/lib/socialgate \
      --shell /usr/sbin/nologin socialgate \
 && install -d -o socialgate -g socialgate -m 0750 /var/lib/socialgate /opt/socialgate/var
COPY --from=build /src/build/release/src/socialgate /usr/local/bin/socialgate
# The demo: config/demo.toml names its database (var/) and template catalog (config/) relative
# to the working directory.
COPY config/ /opt/socialgate/config/
WORKDIR /opt/socialgate
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/socialgate"]
CMD ["serve", "--config", "config/demo.toml", "--listen", "0.0.0.0:8080"]
