#!/usr/bin/env bash
# Installs what Gauntlet's tests and reports need on a fresh machine. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "setup: nothing extra needed yet"

# --- report ---
# Headless Chromium for the browser test of the HTML report (tests/report_browser.rs),
# and a TrueType font so that PNG charts (plotters' ttf backend) carry text.
report_missing=()
[ -x /usr/bin/chromium ] || report_missing+=(chromium)
fc-list 2>/dev/null | grep -qi "sans" || report_missing+=(fonts-dejavu-core fontconfig)
if [ "${#report_missing[@]}" -gt 0 ]; then
    echo "setup: installing ${report_missing[*]} (report)"
    report_sudo=""
    [ "$(id -u)" -eq 0 ] || report_sudo="sudo"
    $report_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $report_sudo apt-get install -y -qq "${report_missing[@]}" >/dev/null
fi

# --- polyglot servers ---
# python-uvicorn's build runs `python3 -m venv`; Debian's system python3 can
# only do that with the python3-venv package (ensurepip). Go, Node.js and the
# JDKs need nothing beyond their toolchains (no modules, no npm packages).
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing python3-venv for reference-servers/python-uvicorn"
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
        echo "setup: python3 lacks venv/ensurepip; install it for reference-servers/python-uvicorn" >&2
    fi
fi
