"""Gauntlet's FastAPI reference app, implementing reference-servers/CONTRACT.md
the way FastAPI's documentation writes an app: path operations with typed,
range-checked query parameters, exception handlers for the JSON error answers,
a lifespan for the upstream client. Served by uvicorn (see main.py)."""

import asyncio
import json
import os
import time
from contextlib import asynccontextmanager
from typing import Annotated

import aiohttp
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

MAX_ECHO_BODY = 1024 * 1024
PLAINTEXT_BODY = "Hello, World!"
JSON_BODY = b'{"message":"Hello, World!"}'
# Byte j of a 512-byte run is j mod 256, so pattern[i % 256 : i % 256 + 64]
# holds (i + j) mod 256 for j in 0..64: the contract's fill for object i.
_PATTERN = bytes(j % 256 for j in range(512))

UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "").rstrip("/")


class ApiError(Exception):
    """An answer other than 200 with a JSON body {"error": message}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@asynccontextmanager
async def lifespan(app: FastAPI):
    """One aiohttp session (a keep-alive pool to the upstream) for the app's life."""
    if UPSTREAM_URL:
        # No cap on connections (as net/http and Node's agent): a burst opens what it needs.
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=90)
        app.state.upstream = aiohttp.ClientSession(connector=connector)
    else:
        app.state.upstream = None
    yield
    if app.state.upstream is not None:
        await app.state.upstream.close()


# Production: no docs or OpenAPI routes (they would answer /docs, /openapi.json).
app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


def _json(status: int, value) -> Response:
    return Response(json.dumps(value, separators=(",", ":")), status_code=status, media_type="application/json")


@app.exception_handler(ApiError)
async def api_error(request: Request, exc: ApiError) -> Response:
    return _json(exc.status, {"error": exc.message})


@app.exception_handler(RequestValidationError)
async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's 422 for a parameter out of range becomes the contract's 400 naming it and its range."""
    error = exc.errors()[0]
    name = str(error["loc"][-1])
    lo, hi = RANGES.get((request.url.path, name), (None, None))
    raw = request.query_params.get(name, "")
    return _json(400, {"error": f'query parameter "{name}" must be an integer from {lo} to {hi} (got {json.dumps(raw)})'})


RANGES = {
    ("/cpu", "n"): (0, 1_000_000),
    ("/sleep", "ms"): (0, 10_000),
    ("/alloc", "kb"): (0, 65_536),
    ("/fanout", "n"): (1, 10_000),
    ("/fanout", "deadline_ms"): (1, 60_000),
}


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


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return PLAINTEXT_BODY


@app.get("/json")
async def hello_json() -> Response:
    return Response(JSON_BODY, media_type="application/json")


@app.post("/echo")
async def echo(request: Request) -> Response:
    """Reads the body as a stream so that no more than 1 MiB + one chunk is ever held."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ECHO_BODY:
        raise ApiError(413, f"request body must be at most {MAX_ECHO_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_ECHO_BODY:
            raise ApiError(413, f"request body must be at most {MAX_ECHO_BODY} bytes")
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "request body must be one valid JSON value") from None
    return _json(200, value)


# CPU-bound handlers are plain `def`, as FastAPI's documentation advises for
# blocking work: FastAPI runs them on its thread pool (anyio, 40 threads), so
# the event loop keeps accepting while they run (the GIL still serialises them).
@app.get("/cpu")
def cpu(n: Annotated[int, Query(ge=0, le=1_000_000)]) -> dict:
    return {"n": n, "primes": count_primes(n)}


@app.get("/alloc")
def alloc(kb: Annotated[int, Query(ge=0, le=65_536)]) -> dict:
    return {"kb": kb, "objects": kb * 16, "checksum": allocate(kb * 16)}


@app.get("/sleep")
async def sleep(ms: Annotated[int, Query(ge=0, le=10_000)]) -> dict:
    # uvloop's timers may fire a fraction of a millisecond early; sleep until
    # the deadline has really passed so the answer never comes before M ms.
    deadline = time.monotonic() + ms / 1000
    while (remaining := deadline - time.monotonic()) > 0:
        await asyncio.sleep(remaining)
    return {"slept_ms": ms}


async def _call(session: aiohttp.ClientSession, i: int) -> bool:
    try:
        async with session.get(f"{UPSTREAM_URL}/item?i={i}") as resp:
            await resp.read()
            return resp.status == 200
    except (aiohttp.ClientError, OSError, ValueError):
        # Refused, reset, malformed: the call simply does not count.
        return False


@app.get("/fanout")
async def fanout(
    request: Request,
    n: Annotated[int, Query(ge=1, le=10_000)],
    deadline_ms: Annotated[int, Query(ge=1, le=60_000)],
) -> dict:
    arrived_at = time.monotonic()
    session = request.app.state.upstream
    if session is None:
        raise ApiError(503, "UPSTREAM_URL is not set")
    tasks = [asyncio.create_task(_call(session, i)) for i in range(n)]
    remaining = arrived_at + deadline_ms / 1000 - time.monotonic()
    done, pending = await asyncio.wait(tasks, timeout=max(0.0, remaining))
    # Abandon every call still in flight.
    for task in pending:
        task.cancel()
    arrived = sum(1 for task in done if not task.cancelled() and task.exception() is None and task.result())
    return {"requested": n, "arrived": arrived, "missed": n - arrived, "deadline_ms": deadline_ms}
