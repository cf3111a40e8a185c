#!/usr/bin/env bash
# Installs what Gauntlet's tests and reports need on a fresh machine. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs `apt-get update` at most once per invocation, then installs the packages given.
apt_updated=0
apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    if [ "$apt_updated" -eq 0 ]; then
        $sudo apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# --- report ---
# Headless Chromium for the browser test of the HTML report (tests/report_browser.rs),
# and a TrueType font so that PNG charts (plotters' ttf backend) carry text.
if [ ! -x /usr/bin/chromium ]; then
    echo "setup: installing chromium (report browser test)"
    apt_install chromium
fi
if ! fc-list 2>/dev/null | grep -qi "sans"; then
    echo "setup: installing fonts-dejavu-core (text in PNG charts)"
    apt_install fonts-dejavu-core fontconfig
fi
