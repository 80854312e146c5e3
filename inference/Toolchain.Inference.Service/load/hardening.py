#!/usr/bin/env python3
"""Hostile images against `infer classify` and the service, measured (make bench-hardening).

Builds decompression bombs (zTXt, iTXt, iCCP chunks inflating to 200 MB) and a 1x40,000,000 PNG, then:
  - runs `infer classify` on each and records wall time and peak RSS (wait4's ru_maxrss of that one child);
  - starts the service, posts 16 bombs at once, and compares its RSS before and after.
Bars (issue 15): classify under 150 MB and under 1 s per file; the service's RSS after 16 concurrent bomb POSTs within
50 MB of its RSS before. Then the protocol scenarios of issue 21 (protocol_hardening.py: refused 5 MB bodies, a mixed
attack under the Deployment's heap limit, a graph fixed at batch 1), which need --xor-model too. Writes
OUT/hardening.md and OUT/hardening.json; exits 1 when a bar is missed.
"""
import argparse
import http.client
import os
import struct
import subprocess
import sys
import threading
import time
import zlib

import protocol_hardening
from servicekit import free_port, measured, png_chunk as chunk, rss_mb, wait_ready, write_report


def png(width, height, extra=b"", row=None):
    """A grey 8-bit PNG; rows default to white with a dark bar in the middle third (a digit-like '1')."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    parts = []
    if row is not None:
        block = row * max(1, (1 << 20) // len(row))
        rows_per_block = len(block) // len(row)
        for y in range(0, height, rows_per_block):
            parts.append(compressor.compress(block[: min(rows_per_block, height - y) * len(row)]))
    else:
        for y in range(height):
            line = bytearray([0] + [255] * width)
            if height // 4 <= y < 3 * height // 4:
                for x in range(width // 2 - 2, width // 2 + 2):
                    line[1 + x] = 0
            parts.append(compressor.compress(bytes(line)))
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def bomb(kind, inflated):
    compressor = zlib.compressobj(9)
    block = b"A" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(inflated >> 20)]
    parts.append(compressor.flush())
    head = {b"zTXt": b"Comment\x00\x00", b"iCCP": b"icc\x00\x00", b"iTXt": b"Comment\x00\x01\x00\x00\x00"}[kind]
    return png(28, 28, chunk(kind, head + b"".join(parts)))


def post(port, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/v1/classify", body, {"Content-Type": "image/png"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--infer", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--xor-model", required=True, help="the xor model (FP64 [-1,2]) the protocol scenarios send to")
    parser.add_argument("--out", required=True)
    parser.add_argument("--bomb-mb", type=int, default=200)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "hardening-inputs")
    os.makedirs(work, exist_ok=True)

    files = {
        "clean 28x28": png(28, 28),
        f"zTXt bomb ({args.bomb_mb} MB inflated)": bomb(b"zTXt", args.bomb_mb << 20),
        f"iTXt bomb ({args.bomb_mb} MB inflated)": bomb(b"iTXt", args.bomb_mb << 20),
        f"iCCP bomb ({args.bomb_mb} MB inflated)": bomb(b"iCCP", args.bomb_mb << 20),
        "1x40,000,000 white": png(1, 40_000_000, row=b"\x00\xff"),
    }
    results = {"classify": [], "service": {}}
    failed = []
    for name, data in files.items():
        path = os.path.join(work, name.split(" ")[0].replace(",", "") + ".png")
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        seconds, peak, code, out, err = measured([args.infer, "classify", "--model", args.model, path])
        answer = (out.decode().strip() or err.decode().strip()).splitlines()[-1][:160]
        row = {"file": name, "bytes": len(data), "seconds": round(seconds, 3), "peak_rss_mb": round(peak, 1),
               "exit": code, "answer": answer}
        row["met"] = peak < 150 and seconds < 1.0
        results["classify"].append(row)
        if not row["met"]:
            failed.append(f"classify {name}: {seconds:.2f} s, {peak:.0f} MB")

    port = free_port()
    service = subprocess.Popen([args.service, "--model", args.model, "--urls", f"http://127.0.0.1:{port}",
                                "--Logging:LogLevel:Default", "Warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(service, f"http://127.0.0.1:{port}", "bench-hardening", paths=("/readyz",))
        clean = files["clean 28x28"]
        for _ in range(200):
            post(port, clean)
        before = rss_mb(service.pid)
        bombs = [data for name, data in files.items() if "bomb" in name]
        statuses = []
        threads = [threading.Thread(target=lambda i=i: statuses.append(post(port, bombs[i % len(bombs)]))) for i in range(16)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        after = rss_mb(service.pid)
        results["service"] = {"rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
                              "statuses": sorted(statuses), "seconds_for_16": round(elapsed, 3),
                              "met": after - before < 50 and all(s == 200 for s in statuses)}
        if not results["service"]["met"]:
            failed.append(f"service: RSS {before:.0f} -> {after:.0f} MB, statuses {sorted(set(statuses))}")
    finally:
        service.terminate()
        service.wait(timeout=30)

    lines = ["# Hostile images (make bench-hardening)", "",
             "| input | bytes | wall s | peak RSS MB | exit | answer | bar (<150 MB, <1 s) |", "|---|---|---|---|---|---|---|"]
    for row in results["classify"]:
        lines.append(f"| {row['file']} | {row['bytes']:,} | {row['seconds']} | {row['peak_rss_mb']} | {row['exit']} | "
                     f"{row['answer'].replace('|', '/')} | {'MET' if row['met'] else 'MISSED'} |")
    s = results["service"]
    lines += ["", f"Service, 16 concurrent bomb POSTs: RSS {s['rss_before_mb']} MB before, {s['rss_after_mb']} MB after "
              f"({s['rss_after_mb'] - s['rss_before_mb']:+.1f} MB; bar < +50 MB: {'MET' if s['met'] else 'MISSED'}); "
              f"statuses {s['statuses']}; {s['seconds_for_16']} s for all 16."]
    protocol_results, protocol_text = protocol_hardening.run(args.service, args.model, args.xor_model, args.out)
    results["protocol"] = protocol_results
    failed += [f"protocol {r['name']}" for r in protocol_results if not r["met"]]
    text = "\n".join(lines) + "\n\n" + protocol_text
    return write_report(args.out, "hardening", text, results, failed)


if __name__ == "__main__":
    sys.exit(main())
