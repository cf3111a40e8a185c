#!/usr/bin/env bash
# Installs what Gauntlet's tests and reports need on a fresh machine. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "setup: nothing extra needed yet"
