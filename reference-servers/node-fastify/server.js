'use strict';
// Gauntlet's Fastify reference server: Fastify 5 on one process and one event
// loop, implementing reference-servers/CONTRACT.md the way Fastify's own
// documentation writes an app: routes with `reply.send`, the logger off, the
// body limit and keep-alive set in the factory options.

const http = require('node:http');
const { setMaxListeners } = require('node:events');
const Fastify = require('fastify');

const MAX_ECHO_BODY = 1024 * 1024;
const PLAINTEXT_BODY = 'Hello, World!';
const JSON_BODY = '{"message":"Hello, World!"}';

/** An error Fastify answers with `statusCode` and a JSON body (see the error handler). */
function httpError(statusCode, message) {
  const err = new Error(message);
  err.statusCode = statusCode;
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

/**
 * Calls the upstream `n` times at once; resolves with the counts when all
 * arrived or at the deadline, whichever is first, abandoning calls in flight.
 */
function fanout(n, deadlineMs, arrivedAt) {
  return new Promise((resolve) => {
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
      controller.abort();
      resolve({ requested: n, arrived, missed: n - arrived, deadline_ms: deadlineMs });
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
  });
}

const app = Fastify({
  logger: false, // production: no request logging
  bodyLimit: MAX_ECHO_BODY, // 413 past 1 MiB, by Content-Length or by bytes read
  keepAliveTimeout: 65000,
  return503OnClosing: false, // let requests on open connections finish during the 1.5 s shutdown
});

// /echo takes any JSON value whatever the Content-Type (Fastify parses only
// application/json by default and answers 415 otherwise): the default JSON
// parser (secure-json-parse), for every type.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

const jsonText = (reply, status, value) => reply.code(status).type('application/json').send(JSON.stringify(value));

app.get('/plaintext', (request, reply) => {
  reply.type('text/plain').send(PLAINTEXT_BODY);
});

app.get('/json', (request, reply) => {
  reply.type('application/json').send(JSON_BODY);
});

app.post('/echo', (request, reply) => {
  // No body at all (no Content-Length, or 0): Fastify skips the parser.
  if (request.body === undefined) throw httpError(400, 'request body must be one valid JSON value (got no body)');
  // Serialized here: reply.send would pass a parsed string through as text.
  jsonText(reply, 200, request.body);
});

app.get('/cpu', (request, reply) => {
  const n = intParam(request.query, 'n', 0, 1000000);
  reply.send({ n, primes: countPrimes(n) });
});

app.get('/sleep', async (request) => {
  const ms = intParam(request.query, 'ms', 0, 10000);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { slept_ms: ms };
});

app.get('/alloc', (request, reply) => {
  const kb = intParam(request.query, 'kb', 0, 65536);
  reply.send({ kb, objects: kb * 16, checksum: allocate(kb * 16) });
});

app.get('/fanout', async (request) => {
  const arrivedAt = Date.now();
  const n = intParam(request.query, 'n', 1, 10000);
  const deadlineMs = intParam(request.query, 'deadline_ms', 1, 60000);
  if (upstream === null) throw httpError(503, 'UPSTREAM_URL is not set');
  return fanout(n, deadlineMs, arrivedAt);
});

// Fastify answers a known path with the wrong method 404; the contract wants
// 405 there and 404 only for unknown paths.
const ALLOWED = { '/plaintext': 'GET', '/json': 'GET', '/echo': 'POST', '/cpu': 'GET', '/sleep': 'GET', '/alloc': 'GET', '/fanout': 'GET' };
app.setNotFoundHandler((request, reply) => {
  const path = request.url.split('?', 1)[0];
  const allowed = Object.hasOwn(ALLOWED, path) ? ALLOWED[path] : undefined;
  if (allowed === undefined) {
    jsonText(reply, 404, { error: `no such path: ${path}` });
  } else {
    reply.header('Allow', allowed);
    jsonText(reply, 405, { error: `${path} accepts ${allowed} only` });
  }
});

// Every error as {"error": "..."}: 400 (parameters, bad or empty JSON), 413, 503.
app.setErrorHandler((err, request, reply) => {
  const status = err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  let message = status < 500 || status === 503 ? err.message : 'internal error';
  if (status === 413) message = `request body must be at most ${MAX_ECHO_BODY} bytes`;
  jsonText(reply, status, { error: message });
});

// Backlog 4096 (the contract asks for >= 1024): Node's default of 511 drops
// connection bursts into the client's 1 s SYN retry.
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog: 4096 }).then(
  () => {
    const { port } = app.server.address();
    process.stdout.write(
      `listening on 127.0.0.1:${port} (Node.js ${process.version}, Fastify ${app.version}, one process, one event loop, NODE_ENV=${process.env.NODE_ENV ?? ''})\n`,
    );
  },
  (err) => {
    // e.g. "listen EADDRINUSE: address already in use 127.0.0.1:8080"
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);

process.on('SIGTERM', () => {
  // Let in-flight requests finish if they end soon, then exit 0 within 2 s.
  setTimeout(() => {
    app.server.closeAllConnections();
    process.exit(0);
  }, 1500).unref();
  app.close().then(() => process.exit(0));
});
