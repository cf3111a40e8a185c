#!/bin/sh
# Starts the fat jar on the JDK build.sh built it with. Production JVM: the
# collector and heap sizing the JVM's ergonomics pick for the CPUs it sees
# (the startup line names it), no debug or agent flags; every server setting
# is in src/main/resources/application.properties.
set -eu
cd "$(dirname "$0")"
[ -f build/java-home ] || { echo "run.sh: build first (sh build.sh)" >&2; exit 1; }
exec "$(cat build/java-home)/bin/java" -jar build/java-spring.jar
