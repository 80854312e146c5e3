#!/usr/bin/env python3
"""'make publish-service-test': the published service folder runs on its own. Copies the folder that 'make
publish-service' wrote (what the Dockerfile's runtime stage copies) to a fresh temporary folder, makes the copy
read-only (as a container's read-only root file system), starts the binary from there with --model-repository, and
checks /v2/health/live, /v2/health/ready, one classification, and that SIGTERM ends it with exit code 0 after the
drain. Standard library only. Exits non-zero on any failure."""
import argparse
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request


def request(url, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", "image/png")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def read_only(tree):
    for root, dirs, files in os.walk(tree):
        for name in files + dirs:
            path = os.path.join(root, name)
            os.chmod(path, os.stat(path).st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    os.chmod(tree, os.stat(tree).st_mode & ~stat.S_IWUSR)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--publish", required=True, help="the folder 'make publish-service' wrote")
    p.add_argument("--repository", required=True, help="a one-model Triton repository")
    p.add_argument("--png", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="publish-smoke-")
    app = os.path.join(work, "app")
    shutil.copytree(a.publish, app)
    read_only(app)
    exe = os.path.join(app, "Toolchain.Inference.Service")
    # Only the copied folder: started from it, with no checkout around and no 'dotnet' on the command line.
    proc = subprocess.Popen([exe, "--model-repository", os.path.abspath(a.repository), "--urls", "http://127.0.0.1:0",
                             "--Classifier:Provider", "Cpu", "--Shutdown:Drain", "00:00:00.5"],
                            cwd=app, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, log = queue.Queue(), []

    def pump():
        for line in proc.stdout:
            log.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()

    def fail(why):
        print(f"publish-service-test: FAIL: {why}", file=sys.stderr)
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
        status, _ = request(base + "/v2/health/live")
        print(f"GET  /v2/health/live  -> {status}")
        if status != 200:
            return fail(f"/v2/health/live answered {status}")
        while True:
            status, body = request(base + "/v2/health/ready")
            if status == 200:
                break
            if time.monotonic() > deadline:
                return fail(f"/v2/health/ready still {status}: {request(base + '/readyz')[1].strip()}")
            time.sleep(0.05)
        print(f"GET  /v2/health/ready -> {status}")
        with open(a.png, "rb") as f:
            status, body = request(base + "/v1/classify", f.read())
        print(f"POST /v1/classify     -> {status} {body}")
        if status != 200 or f'"label":"{a.label}"' not in body:
            return fail(f"expected 200 with label {a.label!r}")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        print(f"SIGTERM               -> exit {code} after {time.monotonic() - started:.2f} s")
        if code != 0:
            return fail(f"exit code {code} after SIGTERM")
        print(f"publish-service-test: OK: {a.publish} runs alone from {app} (read-only)")
        return 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for root, dirs, _ in os.walk(work):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        os.chmod(work, 0o755)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
