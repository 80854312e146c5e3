#!/usr/bin/env python3
"""Hostile protocol requests against the service, measured (issue 21; part of make bench-hardening, or on its own).

Three scenarios, each on a fresh service process serving the cnn and the xor models:
  - refused-bodies: 16 x 6 rounds of 5 MB JSON bodies of "data":[0,0,...] for the xor's [1,2] FP64 input, 16 at a
    time, every one a 400; resident memory at the start, after each round, after 10 s idle and after 20 good requests.
    Bar: no reading more than 150 MB above the start, every answer 400.
  - refused-images: the same with 5 MB bodies that start like a PNG and are not one, to /v1/classify (which must hold
    an image whole to decode it). Same bar.
  - mixed-attack: the service under the Deployment's heap limit (DOTNET_GCHeapHardLimit=0x18000000, 384 MiB); 16
    attackers send 5 MB refused bodies (JSON and binary tensors, and PNGs that are not) while 4 well-formed clients send
    /v1/classify PNGs and /v2 JSON and binary tensors. Bar: no request gets a 5xx (the attack's 4xx, the others' 200) or a broken connection,
    and the process is alive.
  - fixed-batch: the cnn with its graph's batch axis fixed at 1 (as models exported by other tools often are) served
    as 'b1'; 200 one-row binary requests, 16 at a time. Bar: all 200 answered 200, and /v2/models/b1 shows [1,1,28,28].
Bounds are loose on purpose: this measures memory and statuses, not speed. Standalone:
  protocol_hardening.py --service BIN --model CNN.onnx --xor-model XOR.onnx --out DIR
writes DIR/protocol-hardening.md and .json and exits 1 when a bar is missed.
"""
import argparse
import http.client
import json
import os
import random
import struct
import subprocess
import sys
import threading
import time

from servicekit import free_port, grey_png, rss_mb, wait_ready

MB = 1024 * 1024


class Service:
    """The built service on a free port, with the given models; stopped on exit."""

    def __init__(self, binary, models, env=None, extra=()):
        self.port = free_port()
        command = [binary, "--urls", f"http://127.0.0.1:{self.port}", "--Logging:LogLevel:Default", "Warning"]
        for name, (path, verify) in models.items():
            command += [f"--Models:{name}:Path", path]
            if not verify:
                command += [f"--Models:{name}:VerifyIntegrity", "false"]
        command += list(extra)
        self.log = open(os.devnull, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def __enter__(self):
        wait_ready(self.process, f"http://127.0.0.1:{self.port}", "bench-hardening", timeout=90, paths=("/readyz",))
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    @property
    def alive(self):
        return self.process.poll() is None

    def rss(self):
        return rss_mb(self.process.pid)


def request(port, method, path, body=None, headers=None, timeout=120):
    """The status, or the exception's name when the connection broke."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, data
    except Exception as e:  # a reset connection, a timeout: counted as a failure, not raised
        return type(e).__name__, b""
    finally:
        connection.close()


def fill(prefix, unit, suffix, limit):
    n = (limit - len(prefix) - len(suffix)) // (len(unit) + 1)
    return prefix + b",".join([unit] * n) + suffix


XOR_JSON_5MB = fill(b'{"inputs":[{"name":"input","shape":[1,2],"datatype":"FP64","data":[', b"0", b"]}]}", 5 * MB)
XOR_BINARY_HEADER = json.dumps({"inputs": [{"name": "input", "shape": [1, 2], "datatype": "FP64",
                                            "parameters": {"binary_data_size": 5 * MB - 200}}]}).encode().ljust(200)
XOR_BINARY_5MB = XOR_BINARY_HEADER + b"\0" * (5 * MB - 200)
XOR_GOOD = b'{"inputs":[{"name":"input","shape":[1,2],"datatype":"FP64","data":[0,1]}]}'
JSON = {"Content-Type": "application/json"}


def cnn_binary(pixels):
    header = json.dumps({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 3136}}]}).encode()
    return header + struct.pack("<784f", *pixels), {"Content-Type": "application/octet-stream",
                                                      "Inference-Header-Content-Length": str(len(header))}


def digit_png():
    return grey_png(28, 28, bytes(255 if 12 <= x < 16 and 6 <= y < 22 else 0 for y in range(28) for x in range(28)))


def counts(values):
    result = {}
    for v in values:
        result[str(v)] = result.get(str(v), 0) + 1
    return dict(sorted(result.items()))


GARBAGE_PNG_5MB = b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * MB - 8)


def refused_bodies(args):
    return refused(args, "refused-bodies", "/v2/models/xor/infer", XOR_JSON_5MB, JSON, XOR_GOOD, JSON, "/v2/models/xor/infer")


def refused_images(args):
    return refused(args, "refused-images", "/v1/classify", GARBAGE_PNG_5MB, {"Content-Type": "image/png"},
                   digit_png(), {"Content-Type": "image/png"}, "/v1/classify")


def refused(args, name, path, body, headers, good_body, good_headers, good_path):
    models = {"cnn": (args.model, True), "xor": (args.xor_model, True)}
    readings = []
    statuses = []
    with Service(args.service, models) as service:
        for _ in range(20):
            request(service.port, "POST", good_path, good_body, good_headers)
        start = service.rss()
        readings.append(("start", start))
        began = time.monotonic()
        for round_ in range(args.rounds):
            batch = []
            threads = [threading.Thread(target=lambda: batch.append(
                request(service.port, "POST", path, body, headers)[0])) for _ in range(args.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses += batch
            readings.append((f"round {round_ + 1}", service.rss()))
        seconds = time.monotonic() - began
        time.sleep(10)
        readings.append(("after 10 s idle", service.rss()))
        good = [request(service.port, "POST", good_path, good_body, good_headers)[0] for _ in range(20)]
        readings.append(("after 20 good", service.rss()))
        alive = service.alive
    peak_growth = max(r for _, r in readings) - start
    end_growth = readings[-1][1] - start
    met = alive and peak_growth <= 150 and all(s == 400 for s in statuses) and all(s == 200 for s in good)
    return {"name": name, "path": path, "requests": len(statuses), "body_mb": round(len(body) / MB, 2),
            "concurrency": args.concurrency, "seconds": round(seconds, 2),
            "rss_mb": {k: round(v, 1) for k, v in readings}, "peak_growth_mb": round(peak_growth, 1),
            "end_growth_mb": round(end_growth, 1), "statuses": counts(statuses), "good_statuses": counts(good),
            "alive": alive, "met": met}


def mixed_attack(args):
    models = {"cnn": (args.model, True), "xor": (args.xor_model, True)}
    env = {"DOTNET_GCHeapHardLimit": "0x18000000"}
    png = digit_png()
    rng = random.Random(0)
    pixels = [rng.random() for _ in range(784)]
    binary, binary_headers = cnn_binary(pixels)
    cnn_json = json.dumps({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32", "data": pixels}]}).encode()
    good_requests = [
        ("/v1/classify", png, {"Content-Type": "image/png"}),
        ("/v2/models/xor/infer", XOR_GOOD, JSON),
        ("/v2/models/cnn/infer", binary, binary_headers),
        ("/v2/models/cnn/infer", cnn_json, JSON),
    ]
    attacks = [("/v2/models/xor/infer", XOR_JSON_5MB, JSON),
               ("/v2/models/xor/infer", XOR_BINARY_5MB, {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": "200"}),
               ("/v1/classify", GARBAGE_PNG_5MB, {"Content-Type": "image/png"})]
    good, bad = [], []
    lock = threading.Lock()
    with Service(args.service, models, env=env) as service:
        start = service.rss()
        peak = [start]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], service.rss() if service.alive else 0)
                time.sleep(0.1)

        def attacker(i):
            for j in range(args.rounds):
                path, body, headers = attacks[(i + j) % len(attacks)]
                status = request(service.port, "POST", path, body, headers)[0]
                with lock:
                    bad.append(status)

        def client(i):
            k = i
            while not done.is_set():
                path, body, headers = good_requests[k % len(good_requests)]
                status = request(service.port, "POST", path, body, headers, timeout=60)[0]
                with lock:
                    good.append(status)
                k += 1

        sampler = threading.Thread(target=sample)
        clients = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        attackers = [threading.Thread(target=attacker, args=(i,)) for i in range(args.concurrency)]
        began = time.monotonic()
        for t in [sampler, *clients, *attackers]:
            t.start()
        for t in attackers:
            t.join()
        done.set()
        for t in [sampler, *clients]:
            t.join()
        seconds = time.monotonic() - began
        alive = service.alive
        exit_code = None if alive else service.process.returncode
    failures = [s for s in good if not isinstance(s, int) or s >= 500]
    # The refused bodies themselves are 4xx too: a 5xx there is the service failing, not refusing.
    met = alive and not failures and len(good) > 0 and all(isinstance(s, int) and 400 <= s < 500 for s in bad)
    return {"name": "mixed-attack", "heap_limit": env["DOTNET_GCHeapHardLimit"], "attackers": args.concurrency,
            "attack_requests": len(bad), "seconds": round(seconds, 2), "good_statuses": counts(good),
            "attack_statuses": counts(bad), "rss_start_mb": round(start, 1), "rss_peak_mb": round(peak[0], 1),
            "alive": alive, "exit_code": exit_code, "met": met}


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def fields(data):
    i, out = 0, []
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        else:
            raise ValueError(f"wire type {wire}")
        out.append([number, wire, value])
    return out


def encode(items):
    out = bytearray()
    for number, wire, value in items:
        out += varint((number << 3) | wire)
        out += varint(value) if wire == 0 else (varint(len(value)) + value if wire == 2 else value)
    return bytes(out)


def fix_batch(source, target, size):
    """The ONNX model with its first graph input's batch dimension fixed at size and no integrity record (a card from
    another tool), edited on the protobuf wire format: ModelProto.graph(7).input(11)[0].type(2).tensor_type(1).shape(2)."""
    def edit(items, path, change):
        for item in items:
            if item[0] == path[0] and item[1] == 2:
                item[2] = encode(change(fields(item[2])) if len(path) == 1 else edit(fields(item[2]), path[1:], change))
                return items
        raise KeyError(path)

    def first_dim(dims):
        for item in dims:
            if item[0] == 1:
                item[2] = encode([[1, 0, size]])
                break
        return dims

    with open(source, "rb") as f:
        model = fields(f.read())
    edit(model, [7, 11, 2, 1, 2], first_dim)
    model = [m for m in model if not (m[0] == 14 and any(k[0] == 1 and k[2].startswith(b"toolchain.integrity") for k in fields(m[2])))]
    with open(target + ".tmp", "wb") as f:
        f.write(encode(model))
    os.replace(target + ".tmp", target)


def fixed_batch(args):
    path = os.path.join(args.out, "hardening-inputs", "cnn-batch1.onnx")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fix_batch(args.model, path, 1)
    statuses, errors = [], {}
    lock = threading.Lock()
    rng = random.Random(1)
    bodies = [cnn_binary([rng.random() for _ in range(784)]) for _ in range(16)]
    remaining = iter(range(args.fixed_requests))
    with Service(args.service, {"b1": (path, False)}) as service:
        status, data = request(service.port, "GET", "/v2/models/b1")
        shape = json.loads(data)["inputs"][0]["shape"] if status == 200 else None

        def worker(i):
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                body, headers = bodies[i % len(bodies)]
                status, data = request(service.port, "POST", "/v2/models/b1/infer", body, headers, timeout=30)
                with lock:
                    statuses.append(status)
                    if status != 200:
                        errors[data[:150].decode("utf-8", "replace")] = errors.get(data[:150].decode("utf-8", "replace"), 0) + 1

        began = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - began
    met = all(s == 200 for s in statuses) and shape == [1, 1, 28, 28]
    return {"name": "fixed-batch", "requests": len(statuses), "concurrency": 16, "seconds": round(seconds, 2),
            "statuses": counts(statuses), "errors": errors, "metadata_shape": shape, "met": met}


def report(results):
    lines = ["## Hostile protocol requests (issue 21)", ""]
    for r in results:
        mark = "MET" if r["met"] else "MISSED"
        if r["name"] in ("refused-bodies", "refused-images"):
            readings = ", ".join(f"{k} {v}" for k, v in r["rss_mb"].items())
            lines.append(f"- **{r['name'].replace('-', ' ')}** ({r['requests']} x {r['body_mb']} MB to {r['path']}, {r['concurrency']} at a time, "
                         f"{r['seconds']} s): RSS MB {readings}; peak +{r['peak_growth_mb']} MB, end +{r['end_growth_mb']} MB "
                         f"(bar <= +150 MB); statuses {r['statuses']}, then good {r['good_statuses']}: {mark}")
        elif r["name"] == "mixed-attack":
            exited = "" if r["alive"] else f" (exit {r['exit_code']})"
            lines.append(f"- **mixed attack** under DOTNET_GCHeapHardLimit={r['heap_limit']} ({r['attackers']} attackers, "
                         f"{r['attack_requests']} refused bodies, {r['seconds']} s): well-formed {r['good_statuses']}; attack "
                         f"{r['attack_statuses']}; RSS {r['rss_start_mb']} -> peak {r['rss_peak_mb']} MB; alive {r['alive']}"
                         f"{exited} (bar: no 5xx or broken connection for anyone, alive): {mark}")
        else:
            lines.append(f"- **fixed batch** (graph batch 1, {r['requests']} one-row requests, {r['concurrency']} at a time, "
                         f"{r['seconds']} s): statuses {r['statuses']}{'; errors ' + json.dumps(r['errors']) if r['errors'] else ''}; "
                         f"metadata shape {r['metadata_shape']} (bar: all 200, [1,1,28,28]): {mark}")
    return "\n".join(lines) + "\n"


def run(service, model, xor_model, out, concurrency=16, rounds=6, fixed_requests=200, only=None):
    """Runs the scenarios (all, or those named in only); returns (results, markdown)."""
    args = argparse.Namespace(service=service, model=model, xor_model=xor_model, out=out, concurrency=concurrency,
                              rounds=rounds, fixed_requests=fixed_requests)
    for path, what in ((model, "--model"), (xor_model, "--xor-model")):
        if not os.path.exists(path):
            raise SystemExit(f"bench-hardening: {what} {path} does not exist; 'make train' writes artifacts/cnn and artifacts/xor")
    scenarios = {"refused-bodies": refused_bodies, "refused-images": refused_images, "mixed-attack": mixed_attack, "fixed-batch": fixed_batch}
    results = [scenario(args) for name, scenario in scenarios.items() if not only or name in only]
    return results, report(results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", required=True)
    parser.add_argument("--model", required=True, help="the cnn (FP32 [-1,1,28,28])")
    parser.add_argument("--xor-model", required=True, help="the xor (FP64 [-1,2])")
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", action="append", choices=["refused-bodies", "refused-images", "mixed-attack", "fixed-batch"])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results, text = run(args.service, args.model, args.xor_model, args.out, args.concurrency, args.rounds, only=args.only)
    for name, content in (("protocol-hardening.md", text), ("protocol-hardening.json", json.dumps(results, indent=2) + "\n")):
        target = os.path.join(args.out, name)
        with open(target + ".tmp", "w") as f:
            f.write(content)
        os.replace(target + ".tmp", target)
    print(text)
    missed = [r["name"] for r in results if not r["met"]]
    for name in missed:
        print(f"MISSED: {name}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
