#!/bin/sh
# Build step of python-fastapi: a virtual environment in the server's .venv/
# (ignored by git) with every package of requirements.txt at its pinned
# version (pip's download cache is ~/.cache/pip). When pip cannot reach the
# package index, says so in one line after pip's output. Run in the server's
# folder (the harness does).
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if python3 -m venv .venv >"$log" 2>&1 &&
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt >>"$log" 2>&1; then
    exit 0
fi
cat "$log" >&2
if grep -qiE 'NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Connection refused|Network is unreachable|ConnectTimeout|ReadTimeout|Could not fetch URL' "$log"; then
    echo "pip-venv.sh: pip could not reach the Python package index to install $(basename "$PWD")'s requirements.txt; the first build needs it (later builds use ~/.cache/pip)" >&2
else
    echo "pip-venv.sh: building the virtual environment failed in $PWD (see the output above)" >&2
fi
exit 1
