"""What the bench drivers in this folder share (issue 24: one copy, not five): a free loopback port, a process's
resident memory, waiting for a started service to answer ready, a child's wall time and peak memory, and PNG bytes.
Standard library only, as the drivers are."""
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib


def free_port():
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    """The process's resident memory in MB, or NaN once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def status_of(url, timeout=2.0):
    """The HTTP status a GET of url answers, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def wait_ready(process, base, what, timeout=60, paths=("/v2/health/ready",), poll=0.05):
    """Returns the moment every path under base answers 200; exits naming `what` if the process ends or `timeout`
    seconds pass first."""
    deadline = time.monotonic() + timeout
    while not all(status_of(base + path) == 200 for path in paths):
        if process.poll() is not None:
            raise SystemExit(f"{what}: the service exited with {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: the service was not ready within {timeout:.0f} s")
        time.sleep(poll)
    return time.monotonic()


def measured(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """Runs argv to its end: (seconds, peak RSS in MB of that one child from wait4, exit code, stdout, stderr); the
    streams are bytes when piped, None when sent to a file."""
    start = time.monotonic()
    process = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
    streams = {}
    # A piped stream is read while the child runs: a full pipe would stall it and the measurement.
    readers = [(name, stream) for name, stream in (("out", process.stdout), ("err", process.stderr)) if stream]
    threads = [threading.Thread(target=lambda n=n, s=s: streams.__setitem__(n, s.read())) for n, s in readers]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(process.pid, 0)
    for t in threads:
        t.join()
    return (time.monotonic() - start, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status),
            streams.get("out"), streams.get("err"))


def png_chunk(kind, data):
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def grey_png(width, height, pixels, extra=b""):
    """An 8-bit grey PNG of width x height pixel bytes, with `extra` chunks before the image data."""
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + extra
            + png_chunk(b"IDAT", zlib.compress(rows, 9)) + png_chunk(b"IEND", b""))


def write_report(out, name, text, results, failed):
    """Writes OUT/NAME.md and OUT/NAME.json whole or not at all, prints the text and each missed bar; returns the
    exit code: 1 when a bar was missed."""
    for file, content in ((name + ".md", text), (name + ".json", json.dumps(results, indent=2) + "\n")):
        target = os.path.join(out, file)
        with open(target + ".tmp", "w") as f:
            f.write(content)
        os.replace(target + ".tmp", target)
    print(text)
    for line in failed:
        print("MISSED: " + line, file=sys.stderr)
    return 1 if failed else 0
