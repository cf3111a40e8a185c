#!/bin/sh
# Prints the home of the newest JDK (one with javac) under /usr/lib/jvm, by the
# JAVA_VERSION in its `release` file; falls back to the javac on PATH.
# With --version, prints that JDK's `java -version` instead.
set -eu
best=""
best_key=""
for home in /usr/lib/jvm/*/; do
    home=${home%/}
    [ -x "$home/bin/javac" ] && [ -f "$home/release" ] || continue
    version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")
    [ -n "$version" ] || continue
    # Sortable key: feature.interim.update, zero-padded.
    key=$(echo "$version" | awk -F'[.+_-]' '{ printf "%05d%05d%05d", $1, $2, $3 }')
    if [ -z "$best_key" ] || [ "$key" -gt "$best_key" ]; then
        best=$home
        best_key=$key
    fi
done
if [ -z "$best" ]; then
    javac_path=$(command -v javac) || { echo "jdk.sh: no JDK under /usr/lib/jvm and no javac on PATH" >&2; exit 1; }
    best=$(dirname "$(dirname "$(readlink -f "$javac_path")")")
fi
if [ "${1:-}" = "--version" ]; then
    exec "$best/bin/java" -version
fi
echo "$best"
