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
