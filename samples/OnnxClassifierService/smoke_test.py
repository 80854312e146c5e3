#!/usr/bin/env python3
"""Smoke test of the sample service (run by 'make sample-test'): starts it on an ephemeral port, waits for /healthz,
POSTs a PNG to /classify and checks the label, then asks the Open Inference Protocol endpoints (model metadata, a JSON
FP32 tensor with the classification extension, a malformed request) what the service's own protocol tests ask. Exits non-zero on any failure. Standard library only, since CI has
python3 (for python3-onnx) but not necessarily curl."""
import argparse
import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def request(url, data=None, content_type="image/png"):
    """Returns (status, body) of one HTTP request; HTTP errors are answers here, not exceptions."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--service", required=True, help="the sample's built .dll")
    p.add_argument("--model", required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--label", required=True, help="the label the PNG must get")
    p.add_argument("--dotnet", default="dotnet")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()

    # Port 0: Kestrel picks a free port and logs it, so concurrent runs never collide.
    proc = subprocess.Popen([a.dotnet, a.service, "--model", a.model, "--urls", "http://127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    log = []

    def pump():
        for line in proc.stdout:
            log.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()

    def fail(why):
        print(f"sample-test: FAIL: {why}", file=sys.stderr)
        print("--- service output ---\n" + "\n".join(log), file=sys.stderr)
        return 1

    try:
        deadline = time.monotonic() + a.timeout
        base = None
        while base is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                return fail(f"no 'Now listening on' within {a.timeout:.0f} s")
            if line is None:
                return fail(f"the service exited with {proc.wait()} before listening")
            m = re.search(r"Now listening on: (http://\S+)", line)
            if m:
                base = m.group(1)

        status, body = request(base + "/healthz")
        print(f"GET  /healthz  -> {status} {body}")
        if status != 200:
            return fail(f"/healthz answered {status}")

        with open(a.png, "rb") as f:
            png = f.read()
        # 503 means the model is still loading (or the queue is full): retry until the deadline.
        while True:
            status, body = request(base + "/classify", png)
            if status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        print(f"POST /classify -> {status} {body}")
        if status != 200:
            return fail(f"/classify answered {status}")
        label = json.loads(body).get("label")
        if label != a.label:
            return fail(f"/classify said {label!r}, expected {a.label!r}")

        status, body = request(base + "/healthz")
        print(f"GET  /healthz  -> {status} {body}")
        if status != 200 or json.loads(body).get("ready") is not True:
            return fail("/healthz does not report the model ready after a classification")
        why = check_protocol(base, a.label)
        if why:
            return fail(why)
        print("sample-test: OK")
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def band_tensor(label):
    """The tiny model's input for a 28x28 picture lit in the band of columns of class `label`, normalised as MNIST."""
    on, off = (1 - 0.1307) / 0.3081, -0.1307 / 0.3081
    return [on if min(x // 3, 9) == label else off for _ in range(28) for x in range(28)]


def check_protocol(base, label):
    """The Open Inference Protocol on the packages: returns what is wrong, or None."""
    status, body = request(base + "/v2/health/ready")
    print(f"GET  /v2/health/ready -> {status}")
    if status != 200:
        return f"/v2/health/ready answered {status}"
    status, body = request(base + "/v2/models/classifier")
    print(f"GET  /v2/models/classifier -> {status} {body[:200]}")
    if status != 200:
        return f"model metadata answered {status}"
    meta = json.loads(body)
    inputs = meta.get("inputs") or [{}]
    if (inputs[0].get("name"), inputs[0].get("datatype"), inputs[0].get("shape")) != ("input", "FP32", [-1, 1, 28, 28]):
        return f"model metadata describes the input as {inputs[0]}"
    want = int(label.split()[-1])
    infer = json.dumps({"id": "smoke", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 1, 28, 28],
                                                   "data": band_tensor(want)}],
                        "outputs": [{"name": "probabilities", "parameters": {"classification": 1}}]}).encode()
    status, body = request(base + "/v2/models/classifier/infer", infer, "application/json")
    print(f"POST /v2/models/classifier/infer -> {status} {body[:200]}")
    if status != 200:
        return f"infer answered {status}"
    answer = json.loads(body)
    data = answer["outputs"][0]["data"]
    if answer.get("id") != "smoke" or len(data) != 1 or data[0].split(":", 2)[2] != label:
        return f"infer answered {answer}, expected one classification '{label}' and the id"
    bad = json.dumps({"inputs": [{"name": "input", "datatype": "FP64", "shape": [1, 1, 28, 28], "data": [0]}]}).encode()
    status, body = request(base + "/v2/models/classifier/infer", bad, "application/json")
    print(f"POST /v2/models/classifier/infer (FP64) -> {status} {body[:200]}")
    if status != 400 or "FP64" not in json.loads(body).get("error", ""):
        return f"a wrong datatype answered {status} {body[:200]}, expected 400 with an error naming FP64"
    status, body = request(base + "/v2/models/nope/infer", infer, "application/json")
    if status != 404:
        return f"an unknown model answered {status}, expected 404"
    return None


if __name__ == "__main__":
    sys.exit(main())
