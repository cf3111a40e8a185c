#!/bin/sh
# Starts the server on the JDK build.sh compiled it with. Production JVM:
# the collector and heap sizing the JVM's ergonomics pick for the CPUs it sees
# (Serial on the one CPU Gauntlet pins the server to on a 2-core machine, G1 on
# two or more; the startup line names it), no debug or agent flags; only
# Nagle's algorithm is turned off for the server's sockets, and the server keeps
# every idle keep-alive connection (the JDK closes those beyond 200; a scenario
# may hold up to 100,000 idle connections), see README.md.
set -eu
cd "$(dirname "$0")"
[ -f build/java-home ] || { echo "run.sh: build first (sh build.sh)" >&2; exit 1; }
exec "$(cat build/java-home)/bin/java" \
    -Dsun.net.httpserver.nodelay=true \
    -Dsun.net.httpserver.maxIdleConnections=200000 \
    -cp build/classes gauntlet.Server
