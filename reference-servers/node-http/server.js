'use strict';
// Gauntlet's Node.js reference server: the standard `http` module on one
// process and one event loop, implementing reference-servers/CONTRACT.md.
// No npm dependencies.

const http = require('node:http');
const { setMaxListeners } = require('node:events');

const MAX_ECHO_BODY = 1024 * 1024;
const PLAINTEXT_BODY = Buffer.from('Hello, World!');
const JSON_BODY = Buffer.from('{"message":"Hello, World!"}');

/** Sends a whole response with an explicit Content-Length (never chunked). */
function send(res, status, contentType, body, extraHeaders) {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': buf.length,
    ...extraHeaders,
  });
  res.end(buf);
}

function sendJson(res, status, value, extraHeaders) {
  send(res, status, 'application/json', JSON.stringify(value), extraHeaders);
}

function sendError(res, status, message, extraHeaders) {
  sendJson(res, status, { error: message }, extraHeaders);
}

/**
 * Reads query parameter `name` as a decimal integer in [lo, hi]; on failure
 * answers 400 naming the parameter and its range and returns undefined.
 */
function intParam(res, query, name, lo, hi) {
  const raw = query.get(name);
  const value = raw !== null && /^-?[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= lo && value <= hi)) {
    sendError(res, 400, `query parameter "${name}" must be an integer from ${lo} to ${hi} (got ${JSON.stringify(raw ?? '')})`);
    return undefined;
  }
  return value;
}

function echo(req, res) {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_ECHO_BODY) {
    tooLarge(req, res);
    return;
  }
  const chunks = [];
  let length = 0;
  let done = false;
  req.on('data', (chunk) => {
    if (done) return;
    length += chunk.length;
    if (length > MAX_ECHO_BODY) {
      done = true;
      tooLarge(req, res);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    let value;
    try {
      value = JSON.parse(Buffer.concat(chunks, length).toString('utf8'));
    } catch {
      sendError(res, 400, 'request body must be one valid JSON value');
      return;
    }
    sendJson(res, 200, value);
  });
  req.on('error', () => {
    done = true;
  });
}

/**
 * Answers 413 as soon as the body is known to be too large, without buffering
 * any more of it. So that the client can read the answer rather than a reset,
 * up to 1 MiB more is discarded for up to 1 s; past that the connection drops.
 */
function tooLarge(req, res) {
  sendError(res, 413, `request body must be at most ${MAX_ECHO_BODY} bytes`);
  const socket = req.socket;
  const giveUp = setTimeout(() => socket.destroy(), 1000);
  giveUp.unref();
  let discarded = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk) => {
    discarded += chunk.length;
    if (discarded > MAX_ECHO_BODY) socket.destroy();
  });
  req.on('end', () => clearTimeout(giveUp));
  req.on('close', () => clearTimeout(giveUp));
  req.resume();
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

function fanout(res, query) {
  const arrivedAt = Date.now();
  const n = intParam(res, query, 'n', 1, 10000);
  if (n === undefined) return;
  const deadlineMs = intParam(res, query, 'deadline_ms', 1, 60000);
  if (deadlineMs === undefined) return;
  if (upstream === null) {
    sendError(res, 503, 'UPSTREAM_URL is not set');
    return;
  }

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
    sendJson(res, 200, { requested: n, arrived, missed: n - arrived, deadline_ms: deadlineMs });
  };
  const timer = setTimeout(answer, Math.max(0, arrivedAt + deadlineMs - Date.now()));
  const settle = (ok) => {
    if (answered) return;
    if (ok) arrived++;
    if (++finished === n) answer();
  };

  for (let i = 0; i < n; i++) {
    const call = http.get(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `${upstream.pathname.replace(/\/$/, '')}/item?i=${i}`,
        agent: upstreamAgent,
        signal: controller.signal,
      },
      (upRes) => {
        upRes.on('error', () => settle(false));
        upRes.on('end', () => settle(upRes.statusCode === 200));
        upRes.resume();
      },
    );
    call.on('error', () => settle(false));
  }
}

const routes = {
  '/plaintext': ['GET', (req, res) => send(res, 200, 'text/plain; charset=utf-8', PLAINTEXT_BODY)],
  '/json': ['GET', (req, res) => send(res, 200, 'application/json', JSON_BODY)],
  '/echo': ['POST', (req, res) => echo(req, res)],
  '/cpu': [
    'GET',
    (req, res, query) => {
      const n = intParam(res, query, 'n', 0, 1000000);
      if (n !== undefined) sendJson(res, 200, { n, primes: countPrimes(n) });
    },
  ],
  '/sleep': [
    'GET',
    (req, res, query) => {
      const ms = intParam(res, query, 'ms', 0, 10000);
      if (ms !== undefined) setTimeout(() => sendJson(res, 200, { slept_ms: ms }), ms);
    },
  ],
  '/alloc': [
    'GET',
    (req, res, query) => {
      const kb = intParam(res, query, 'kb', 0, 65536);
      if (kb !== undefined) sendJson(res, 200, { kb, objects: kb * 16, checksum: allocate(kb * 16) });
    },
  ],
  '/fanout': ['GET', (req, res, query) => fanout(res, query)],
};

const server = http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (route === undefined) {
    req.resume();
    sendError(res, 404, `no such path: ${path}`);
    return;
  }
  const [method, handler] = route;
  if (req.method !== method) {
    req.resume();
    sendError(res, 405, `${path} accepts ${method} only`, { Allow: method });
    return;
  }
  if (method === 'GET') req.resume();
  handler(req, res, new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1)));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(
    `listening on 127.0.0.1:${port} (Node.js ${process.version}, one process, one event loop, NODE_ENV=${process.env.NODE_ENV ?? ''})\n`,
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
