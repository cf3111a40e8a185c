#!/usr/bin/env python3
"""Fire N concurrent `GET /sleep?ms=M` requests at a reference server and report.

Each request goes on its own TCP connection, all opened at once, so the server
sees N requests in flight together. Prints how many completed with 200, how
many failed, the wall time of the whole burst and the latency percentiles.
It measures what a server's concurrency model does with waiting requests;
numbers in the reference servers' READMEs come from this script.

usage: python3 scripts/sleep_burst.py --port PORT [--requests 1000] [--ms 100] [--timeout 30]
"""

import argparse
import asyncio
import time


async def one(port: int, ms: int, timeout: float) -> tuple[bool, float, str]:
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        writer.write(f"GET /sleep?ms={ms} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = head.split(b" ", 2)[1].decode()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        await asyncio.wait_for(reader.readexactly(length), timeout)
        writer.close()
        return status == "200", time.perf_counter() - start, status
    except Exception as e:  # noqa: BLE001 - every failure is counted and named
        return False, time.perf_counter() - start, type(e).__name__


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--ms", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()

    start = time.perf_counter()
    results = await asyncio.gather(*(one(args.port, args.ms, args.timeout) for _ in range(args.requests)))
    wall = time.perf_counter() - start

    ok = sorted(lat * 1000 for good, lat, _ in results if good)
    errors: dict[str, int] = {}
    for good, _, why in results:
        if not good:
            errors[why] = errors.get(why, 0) + 1
    print(
        f"{args.requests} x /sleep?ms={args.ms}: {len(ok)} ok, {args.requests - len(ok)} failed {errors or ''}; "
        f"wall {wall * 1000:.0f} ms; latency p50 {pct(ok, 50):.0f} ms, p99 {pct(ok, 99):.0f} ms, max {pct(ok, 100):.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
