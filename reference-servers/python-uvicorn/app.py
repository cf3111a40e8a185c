"""Gauntlet's Python reference app: a bare ASGI application (no framework)
implementing reference-servers/CONTRACT.md. Served by uvicorn (see main.py)."""

import asyncio
import json
import os
import re
import time
from urllib.parse import parse_qsl

import aiohttp

MAX_ECHO_BODY = 1024 * 1024
PLAINTEXT_BODY = b"Hello, World!"
JSON_BODY = b'{"message":"Hello, World!"}'
_INTEGER = re.compile(r"-?[0-9]+")
# Byte j of a 512-byte run is j mod 256, so pattern[i % 256 : i % 256 + 64]
# holds (i + j) mod 256 for j in 0..64: the contract's fill for object i.
_PATTERN = bytes(j % 256 for j in range(512))

UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "").rstrip("/")
_session: aiohttp.ClientSession | None = None


class BadRequest(Exception):
    """A query parameter outside its range: answered 400 with the message."""


async def send(send_fn, status: int, content_type: bytes, body: bytes) -> None:
    """Sends a whole response with an explicit Content-Length (never chunked)."""
    await send_fn(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send_fn({"type": "http.response.body", "body": body})


async def send_json(send_fn, status: int, value) -> None:
    await send(send_fn, status, b"application/json", json.dumps(value, separators=(",", ":")).encode())


def int_param(query: dict[str, str], name: str, lo: int, hi: int) -> int:
    """Reads query parameter `name` as a decimal integer in [lo, hi]."""
    raw = query.get(name)
    if raw is None or not _INTEGER.fullmatch(raw) or not lo <= int(raw) <= hi:
        raise BadRequest(f'query parameter "{name}" must be an integer from {lo} to {hi} (got {json.dumps(raw or "")})')
    return int(raw)


def count_primes(n: int) -> int:
    """The contract's trial division, exactly: no sieve, no skipping even divisors."""
    count = 0
    for i in range(2, n + 1):
        prime = True
        d = 2
        while d * d <= i:
            if i % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def allocate(count: int) -> int:
    """Allocates `count` separate 64-byte bytearrays, all alive at once, and sums their bytes."""
    held = [bytearray(_PATTERN[i % 256 : i % 256 + 64]) for i in range(count)]
    return sum(sum(obj) for obj in held)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


async def echo(scope, receive, send_fn) -> None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_ECHO_BODY:
            await send_json(send_fn, 413, {"error": f"request body must be at most {MAX_ECHO_BODY} bytes"})
            return
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if len(body) > MAX_ECHO_BODY:
            await send_json(send_fn, 413, {"error": f"request body must be at most {MAX_ECHO_BODY} bytes"})
            return
        if not message.get("more_body", False):
            break
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        await send_json(send_fn, 400, {"error": "request body must be one valid JSON value"})
        return
    await send_json(send_fn, 200, value)


async def _call(session: aiohttp.ClientSession, i: int) -> bool:
    try:
        async with session.get(f"{UPSTREAM_URL}/item?i={i}") as resp:
            await resp.read()
            return resp.status == 200
    except (aiohttp.ClientError, OSError, ValueError):
        # Refused, reset, malformed: the call simply does not count.
        return False


async def fanout(query: dict[str, str], send_fn, arrived_at: float) -> None:
    n = int_param(query, "n", 1, 10_000)
    deadline_ms = int_param(query, "deadline_ms", 1, 60_000)
    if _session is None:
        await send_json(send_fn, 503, {"error": "UPSTREAM_URL is not set"})
        return
    tasks = [asyncio.create_task(_call(_session, i)) for i in range(n)]
    remaining = arrived_at + deadline_ms / 1000 - time.monotonic()
    done, pending = await asyncio.wait(tasks, timeout=max(0.0, remaining))
    # Abandon every call still in flight.
    for task in pending:
        task.cancel()
    arrived = sum(1 for task in done if not task.cancelled() and task.exception() is None and task.result())
    await send_json(send_fn, 200, {"requested": n, "arrived": arrived, "missed": n - arrived, "deadline_ms": deadline_ms})


async def sleep(query: dict[str, str], send_fn) -> None:
    ms = int_param(query, "ms", 0, 10_000)
    await asyncio.sleep(ms / 1000)
    await send_json(send_fn, 200, {"slept_ms": ms})


ROUTES = {
    "/plaintext": "GET",
    "/json": "GET",
    "/echo": "POST",
    "/cpu": "GET",
    "/sleep": "GET",
    "/alloc": "GET",
    "/fanout": "GET",
}


async def lifespan(receive, send_fn) -> None:
    global _session
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if UPSTREAM_URL:
                # One keep-alive pool to the upstream, no cap on connections
                # (as net/http and Node's agent): a burst opens what it needs.
                connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=90)
                _session = aiohttp.ClientSession(connector=connector)
            await send_fn({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if _session is not None:
                await _session.close()
            await send_fn({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send_fn) -> None:
    """The ASGI entry point."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send_fn)
        return
    if scope["type"] != "http":
        return
    arrived_at = time.monotonic()
    path = scope["path"]
    method = ROUTES.get(path)
    if method is None:
        await send_json(send_fn, 404, {"error": f"no such path: {path}"})
        return
    if scope["method"] != method:
        await send_json(send_fn, 405, {"error": f"{path} accepts {method} only"})
        return
    query: dict[str, str] = {}
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        query.setdefault(name, value)  # the first of repeated parameters, as the other servers
    try:
        if path == "/plaintext":
            await send(send_fn, 200, b"text/plain; charset=utf-8", PLAINTEXT_BODY)
        elif path == "/json":
            await send(send_fn, 200, b"application/json", JSON_BODY)
        elif path == "/echo":
            await echo(scope, receive, send_fn)
        elif path == "/cpu":
            n = int_param(query, "n", 0, 1_000_000)
            await send_json(send_fn, 200, {"n": n, "primes": count_primes(n)})
        elif path == "/sleep":
            await sleep(query, send_fn)
        elif path == "/alloc":
            kb = int_param(query, "kb", 0, 65_536)
            await send_json(send_fn, 200, {"kb": kb, "objects": kb * 16, "checksum": allocate(kb * 16)})
        elif path == "/fanout":
            await fanout(query, send_fn, arrived_at)
    except BadRequest as e:
        await send_json(send_fn, 400, {"error": str(e)})
