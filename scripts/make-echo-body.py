#!/usr/bin/env python3
"""Writes scenarios/runtimes/echo-64k.json: the 64 KiB JSON body of the
echo-64k scenario. Deterministic (no randomness), so re-running it rewrites the
same bytes: an array of records mixing what real payloads hold (integers,
decimals of up to 15 significant digits, strings, booleans, nulls, nesting)
within what reference-servers/CONTRACT.md promises to round-trip."""
import json
import pathlib

TARGET = 64 * 1024
out = pathlib.Path(__file__).resolve().parent.parent / "scenarios" / "runtimes" / "echo-64k.json"
records = []
i = 0
while True:
    record = {
        "id": i,
        "sku": f"SKU-{i:06d}",
        "name": f"item {i} of the echo-64k body",
        "price": round(1.25 + i * 0.37, 2),
        "ratio": float(f"{(i * 7919 % 1000003) / 1000003:.15g}"),
        "active": i % 3 != 0,
        "tags": ["alpha", "beta", "gamma"][: 1 + i % 3],
        "dims": {"w": i % 17, "h": (i * 3) % 29, "unit": "cm", "note": None},
    }
    trial = json.dumps(records + [record], separators=(",", ":"))
    if len(trial) > TARGET:
        break
    records.append(record)
    i += 1
text = json.dumps(records, separators=(",", ":"))
out.write_text(text)
print(f"wrote {out} ({len(text)} bytes, {len(records)} records)")
