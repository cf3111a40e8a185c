#!/bin/sh
# Compiles the server with the newest JDK into build/classes and records which
# JDK it used in build/java-home, so that run.sh starts the same one.
set -eu
cd "$(dirname "$0")"
java_home=$(sh ./jdk.sh)
rm -rf build/classes
mkdir -p build/classes
# --release 17: the same classes run on JDK 17 (platform-thread pool) and on
# JDK 21+ (virtual threads, chosen at run time).
"$java_home/bin/javac" --release 17 -Xlint:all -Werror -d build/classes src/gauntlet/*.java
echo "$java_home" > build/java-home
