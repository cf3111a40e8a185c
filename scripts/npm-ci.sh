#!/bin/sh
# Build step of the Node.js framework servers (node-express, node-fastify):
# installs the dependencies exactly as package-lock.json pins them into the
# server's node_modules/ (ignored by git; npm's download cache is ~/.npm).
# When npm cannot reach its registry, says so in one line after npm's output.
# Run in the server's folder (the harness does).
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if npm ci --omit=dev --no-audit --no-fund --loglevel=warn >"$log" 2>&1; then
    exit 0
fi
cat "$log" >&2
if grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|ENETUNREACH|EHOSTUNREACH|network|request to .* failed' "$log"; then
    echo "npm-ci.sh: npm could not reach the npm registry ($(npm config get registry)) to install $(basename "$PWD")'s dependencies; the first build needs it (later builds use ~/.npm)" >&2
else
    echo "npm-ci.sh: npm ci failed in $PWD (see npm's output above)" >&2
fi
exit 1
