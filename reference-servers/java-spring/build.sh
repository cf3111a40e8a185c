#!/bin/sh
# Builds the fat jar (build/java-spring.jar) with Maven on the newest JDK
# under /usr/lib/jvm and records that JDK in build/java-home, so that run.sh
# starts the same one. Dependencies come from Maven Central into ~/.m2 on the
# first build; when Maven cannot reach it, says so after Maven's output.
set -eu
cd "$(dirname "$0")"
java_home=$(sh ./jdk.sh)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! JAVA_HOME="$java_home" mvn -B -q -DskipTests package >"$log" 2>&1; then
    # Maven on a new JDK warns about sun.misc.Unsafe on stderr; keep the rest.
    grep -v 'sun.misc.Unsafe\|terminally deprecated method\|Please consider reporting this' "$log" >&2 || true
    if grep -qiE 'Could not transfer|Could not resolve|Unknown host|UnknownHostException|Connection refused|Connect timed out|Network is unreachable|Non-resolvable parent' "$log"; then
        echo "build.sh: Maven could not reach Maven Central to download java-spring's dependencies into ~/.m2; the first build needs it (later builds run offline from ~/.m2)" >&2
    else
        echo "build.sh: mvn package failed in $PWD (see Maven's output above)" >&2
    fi
    exit 1
fi
echo "$java_home" > build/java-home
