'use strict';
// Gauntlet's Express reference server: Express 5 on Node's http server, one
// process and one event loop, implementing reference-servers/CONTRACT.md the
// way Express's own guides write an app: routes, express.json() for the body,
// an error-handling middleware for the JSON error answers.

const http = require('node:http');
const { setMaxListeners } = require('node:events');
const express = require('express');

const MAX_ECHO_BODY = 1024 * 1024;
const PLAINTEXT_BODY = 'Hello, World!';
const JSON_BODY = '{"message":"Hello, World!"}';

/** An error the error-handling middleware answers with `status` and a JSON body. */
function httpError(status, message) {
  const err = new Error(message);
  err.status = status;
  err.expose = true;
  return err;
}

/**
 * Reads query parameter `name` as a decimal integer in [lo, hi]; throws a 400
 * naming the parameter and its range otherwise.
 */
function intParam(query, name, lo, hi) {
  let raw = query[name];
  if (Array.isArray(raw)) raw = raw[0]; // the first of repeated parameters, as the other servers
  const value = typeof raw === 'string' && /^-?[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= lo && value <= hi)) {
    throw httpError(400, `query parameter "${name}" must be an integer from ${lo} to ${hi} (got ${JSON.stringify(raw ?? '')})`);
  }
  return value;
}

/** The contract's trial division, exactly: no sieve, no skipping even divisors. */
function countPrimes(n) {
  let count = 0;
  for (let i = 2; i <= n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** Allocates `count` separate 64-byte arrays, all alive at once, and sums their bytes. */
function allocate(count) {
  const held = new Array(count);
  for (let i = 0; i < count; i++) {
    const obj = new Uint8Array(64);
    for (let j = 0; j < 64; j++) obj[j] = (i + j) & 255;
    held[i] = obj;
  }
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const obj = held[i];
    for (let j = 0; j < 64; j++) sum += obj[j];
  }
  return sum;
}

const upstream = process.env.UPSTREAM_URL ? new URL(process.env.UPSTREAM_URL) : null;
// One keep-alive pool for every call to the upstream, kept as large as a burst.
const upstreamAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 10000 });

/** Calls the upstream `n` times at once; answers when all arrived or at the deadline. */
function fanout(req, res) {
  const arrivedAt = Date.now();
  const n = intParam(req.query, 'n', 1, 10000);
  const deadlineMs = intParam(req.query, 'deadline_ms', 1, 60000);
  if (upstream === null) throw httpError(503, 'UPSTREAM_URL is not set');

  const controller = new AbortController();
  // Every call of the burst listens on the one signal.
  setMaxListeners(n + 1, controller.signal);
  let arrived = 0;
  let finished = 0;
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    // Abandon every call still in flight.
    controller.abort();
    res.json({ requested: n, arrived, missed: n - arrived, deadline_ms: deadlineMs });
  };
  const timer = setTimeout(answer, Math.max(0, arrivedAt + deadlineMs - Date.now()));
  const settle = (ok) => {
    if (answered) return;
    if (ok) arrived++;
    if (++finished === n) answer();
  };
  const base = upstream.pathname.replace(/\/$/, '');
  for (let i = 0; i < n; i++) {
    const call = http.get(
      { host: upstream.hostname, port: upstream.port, path: `${base}/item?i=${i}`, agent: upstreamAgent, signal: controller.signal },
      (upRes) => {
        upRes.on('error', () => settle(false));
        upRes.on('end', () => settle(upRes.statusCode === 200));
        upRes.resume();
      },
    );
    call.on('error', () => settle(false));
  }
}

const app = express();
// Production settings: no X-Powered-By header, no request logging (Express has
// none unless a logger middleware is added), NODE_ENV=production from server.toml.
app.disable('x-powered-by');

app.get('/plaintext', (req, res) => {
  res.type('text/plain').send(PLAINTEXT_BODY);
});

app.get('/json', (req, res) => {
  res.type('application/json').send(JSON_BODY);
});

app.post(
  '/echo',
  express.json({
    limit: MAX_ECHO_BODY,
    // Any JSON value, not only objects and arrays, whatever the Content-Type.
    strict: false,
    type: () => true,
    // body-parser turns an empty body into {}; the contract wants a 400.
    verify: (req, res, buf) => {
      if (buf.length === 0) throw httpError(400, 'request body must be one valid JSON value (got an empty body)');
    },
  }),
  (req, res) => {
    if (req.body === undefined) throw httpError(400, 'request body must be one valid JSON value (got no body)');
    res.json(req.body);
  },
);

app.get('/cpu', (req, res) => {
  const n = intParam(req.query, 'n', 0, 1000000);
  res.json({ n, primes: countPrimes(n) });
});

app.get('/sleep', (req, res) => {
  const ms = intParam(req.query, 'ms', 0, 10000);
  setTimeout(() => res.json({ slept_ms: ms }), ms);
});

app.get('/alloc', (req, res) => {
  const kb = intParam(req.query, 'kb', 0, 65536);
  res.json({ kb, objects: kb * 16, checksum: allocate(kb * 16) });
});

app.get('/fanout', fanout);

// Express answers a known path with the wrong method 404 by itself; the
// contract wants 405 there and 404 only for unknown paths.
const ALLOWED = { '/plaintext': 'GET', '/json': 'GET', '/echo': 'POST', '/cpu': 'GET', '/sleep': 'GET', '/alloc': 'GET', '/fanout': 'GET' };
app.use((req, res) => {
  const allowed = Object.hasOwn(ALLOWED, req.path) ? ALLOWED[req.path] : undefined;
  if (allowed === undefined) {
    res.status(404).json({ error: `no such path: ${req.path}` });
  } else {
    res.status(405).set('Allow', allowed).json({ error: `${req.path} accepts ${allowed} only` });
  }
});

// Every error as a JSON body: 400 (parameters, bad JSON), 413 (body over 1 MiB), 503.
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  const status = err.status >= 400 && err.status < 600 ? err.status : 500;
  let message = status < 500 || err.expose ? err.message : 'internal error';
  if (err.type === 'entity.parse.failed') message = 'request body must be one valid JSON value';
  if (err.type === 'entity.too.large') message = `request body must be at most ${MAX_ECHO_BODY} bytes`;
  res.status(status).json({ error: message });
});

const server = http.createServer({ keepAliveTimeout: 65000 }, app);

// Backlog 4096 (the contract asks for >= 1024): Node's default of 511 drops
// connection bursts into the client's 1 s SYN retry.
server.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  const { port } = server.address();
  process.stdout.write(
    `listening on 127.0.0.1:${port} (Node.js ${process.version}, Express ${require('express/package.json').version}, one process, one event loop, NODE_ENV=${process.env.NODE_ENV ?? ''})\n`,
  );
});

process.on('SIGTERM', () => {
  // Let in-flight requests finish if they end soon, then exit 0 within 2 s.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 1500).unref();
});
