#!/usr/bin/env python3
"""Smoke test of the sample service (run by 'make sample-test'): starts it on an ephemeral port, waits for /healthz,
POSTs a PNG to /classify and checks the label. Exits non-zero on any failure. Standard library only, since CI has
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


def request(url, data=None):
    """Returns (status, body) of one HTTP request; HTTP errors are answers here, not exceptions."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", "image/png")
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
        print("sample-test: OK")
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
