#!/usr/bin/env bash
# Installs what Gauntlet's tests, reference servers and reports need on a fresh
# machine. Safe to re-run: each block checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed=""
[ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        $sudo_if_needed apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq "$@" >/dev/null
}

# --- polyglot servers ---
# python-uvicorn's build runs `python3 -m venv`; Debian's system python3 can
# only do that with the python3-venv package (ensurepip). Go, Node.js and the
# JDKs need nothing more for the standard-library servers (no modules, no npm packages).
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    echo "setup: installing python3-venv for reference-servers/python-uvicorn"
    apt_install python3-venv
fi

# --- framework-tier servers ---
# java-spring builds with Maven (dependencies into ~/.m2 on the first build);
# node-express and node-fastify run `npm ci` (into their node_modules/);
# python-fastapi's build makes its .venv like python-uvicorn's (python3-venv
# above). Their dependencies come from the package registries at build time
# (scripts/npm-ci.sh, scripts/pip-venv.sh, reference-servers/java-spring/build.sh),
# so only the tools are installed here: Maven when a JDK is present without it
# (npm ships with the Node.js package).
framework_missing=()
if command -v javac >/dev/null 2>&1 && ! command -v mvn >/dev/null 2>&1; then
    framework_missing+=(maven)
fi
if [ "${#framework_missing[@]}" -gt 0 ]; then
    echo "setup: installing ${framework_missing[*]} (reference-servers/java-spring)"
    apt_install "${framework_missing[@]}"
fi

# --- report ---
# Headless Chromium for the browser test of the HTML report (tests/report_browser.rs),
# and a TrueType font so that PNG charts (plotters' ttf backend) carry text.
report_missing=()
[ -x /usr/bin/chromium ] || report_missing+=(chromium)
fc-list 2>/dev/null | grep -qi "sans" || report_missing+=(fonts-dejavu-core fontconfig)
if [ "${#report_missing[@]}" -gt 0 ]; then
    echo "setup: installing ${report_missing[*]} (report)"
    apt_install "${report_missing[@]}"
fi
# The browser test (tests/report_browser.rs) is required, not skipped, where
# this script has put Chromium: leave it a stamp to find.
if [ -x /usr/bin/chromium ]; then
    mkdir -p target/gauntlet-setup && echo /usr/bin/chromium > target/gauntlet-setup/chromium
fi
echo "setup: done"
