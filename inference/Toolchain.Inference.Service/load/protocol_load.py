#!/usr/bin/env python3
"""The Open Inference Protocol under wrk beside /v1/classify, on the same model in the same run (make bench-serve).

Starts the built service with --model MODEL (and, with --uint8-model, that model as 'digits8'), then runs wrk
(64 connections, --latency) in interleaved rounds on:
  - POST /v1/classify with a real 28x28 PNG (decoded, framed and normalised by the service);
  - POST /v2/models/<stem>/infer, binary tensor data: one FP32 [1,1,28,28] image (the same digit, normalised by the
    client), the probabilities output asked for as binary;
  - POST /v2/models/<stem>/infer, JSON data of the same image;
  - POST /v2/models/digits8/infer, binary UINT8 [1,1,28,28] (raw pixels; the graph scales them), when given.
Reports req/s, p50 and p99 per run and the range over rounds; writes OUT/serve-protocol.md and .json. Exits 1 when a
run had non-2xx answers or socket errors.
"""
import argparse
import gzip
import json
import os
import re
import struct
import subprocess
import sys

from servicekit import free_port, grey_png, wait_ready

HERE = os.path.dirname(os.path.abspath(__file__))


def mnist_image(path, index=0):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 2051 and rows == 28 and cols == 28, "not an MNIST image file"
    return data[16 + index * 784:16 + (index + 1) * 784]


def binary_body(name, datatype, payload):
    header = json.dumps({
        "inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": datatype, "parameters": {"binary_data_size": len(payload)}}],
        "outputs": [{"name": "probabilities", "parameters": {"binary_data": True}}],
    }).encode()
    return header + payload, len(header)


def to_ms(text):
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    return value * 1000


def run_wrk(url, body_file, content_type, header_length, seconds, connections, threads):
    env = dict(os.environ, LOADTEST_BODY=body_file, LOADTEST_TYPE=content_type, LOADTEST_HEADER_LENGTH=str(header_length or ""))
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", os.path.join(HERE, "post-body.lua"), url],
                         env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", m.group(0))) if (m := re.search(r"Socket errors:.*", out)) else 0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": non2xx, "socket_errors": errors}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--uint8-model")
    parser.add_argument("--png", help="the PNG for /v1 (default: the same MNIST digit as the tensor runs, as a grey PNG)")
    parser.add_argument("--mnist", default="data/mnist-sample/t10k-images-idx3-ubyte.gz")
    parser.add_argument("--mean", type=float, default=0.1307)
    parser.add_argument("--std", type=float, default=0.3081)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "serve-protocol-bodies")
    os.makedirs(work, exist_ok=True)

    name = os.path.splitext(os.path.basename(args.model))[0]
    pixels = mnist_image(args.mnist)
    floats = struct.pack("<784f", *[((p / 255.0) - args.mean) / args.std for p in pixels])
    bodies = {}
    body, length = binary_body(name, "FP32", floats)
    bodies["v2 binary FP32"] = (f"/v2/models/{name}/infer", body, "application/octet-stream", length)
    json_body = json.dumps({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                                        "data": list(struct.unpack("<784f", floats))}],
                            "outputs": [{"name": "probabilities"}]}).encode()
    bodies["v2 JSON FP32"] = (f"/v2/models/{name}/infer", json_body, "application/json", None)
    if args.png:
        with open(args.png, "rb") as f:
            bodies["v1 PNG"] = ("/v1/classify", f.read(), "image/png", None)
    else:
        bodies["v1 PNG"] = ("/v1/classify", grey_png(28, 28, pixels), "image/png", None)
    if args.uint8_model:
        body, length = binary_body("digits8", "UINT8", pixels)
        bodies["v2 binary UINT8"] = ("/v2/models/digits8/infer", body, "application/octet-stream", length)
    bodies = dict(sorted(bodies.items(), key=lambda kv: kv[0] != "v1 PNG"))
    files = {}
    for label, (_, data, _, _) in bodies.items():
        files[label] = os.path.join(work, label.replace(" ", "-") + ".bin")
        with open(files[label], "wb") as f:
            f.write(data)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [args.service, "--model", args.model, "--urls", url, "--Logging:LogLevel:Default", "Warning"]
    if args.uint8_model:
        command += ["--Models:digits8:Path", args.uint8_model]
    command += args.extra
    log = open(os.path.join(work, "service.log"), "w")
    service = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        names = [name] + (["digits8"] if args.uint8_model else [])
        wait_ready(service, url, f"protocol-load (see {work}/service.log)", paths=[f"/v2/models/{n}/ready" for n in names])
        results = {label: [] for label in bodies}
        for _ in range(args.rounds):
            for label, (path, _, content_type, length) in bodies.items():
                print(f"protocol-load: {label}, {args.seconds} s", file=sys.stderr)
                run_wrk(url + path, files[label], content_type, length, 2, args.connections, args.threads)  # warm-up
                results[label].append(run_wrk(url + path, files[label], content_type, length, args.seconds, args.connections, args.threads))
    finally:
        service.terminate()
        service.wait(timeout=30)
        log.close()

    def summary(runs, key):
        values = [r[key] for r in runs]
        return min(values), max(values)

    v1 = summary(results["v1 PNG"], "rps")
    lines = [
        "# The Open Inference Protocol beside /v1/classify",
        "",
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s after a 2 s warm-up, {args.rounds} interleaved rounds, "
        f"model {args.model}{' and ' + args.uint8_model + ' (uint8 input)' if args.uint8_model else ''}; "
        f"service args: {' '.join(args.extra) or '(defaults)'}. Ranges are min–max over rounds.",
        "",
        "| run | req/s | p50 ms | p99 ms | non-2xx | socket errors | vs /v1 PNG |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    failed = False
    for label, runs in results.items():
        lo, hi = summary(runs, "rps")
        p50 = summary(runs, "p50_ms")
        p99 = summary(runs, "p99_ms")
        bad = sum(r["non_2xx"] for r in runs)
        errors = sum(r["socket_errors"] for r in runs)
        failed |= bad > 0 or errors > 0
        ratio = f"{lo / v1[1]:.2f}–{hi / v1[0]:.2f}×" if label != "v1 PNG" else ""
        lines.append(f"| {label} | {lo:,.0f}–{hi:,.0f} | {p50[0]:.2f}–{p50[1]:.2f} | {p99[0]:.2f}–{p99[1]:.2f} | {bad} | {errors} | {ratio} |")
    text = "\n".join(lines) + "\n"
    for name_, content in (("serve-protocol.md", text), ("serve-protocol.json", json.dumps(results, indent=2) + "\n")):
        temp = os.path.join(args.out, name_ + ".tmp")
        with open(temp, "w") as f:
            f.write(content)
        os.replace(temp, os.path.join(args.out, name_))
    print(text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
