#!/usr/bin/env python3
"""make bench-scale (issue 13): 3 service replicas on one model file behind HAProxy, all on 127.0.0.1, under wrk, with
faults on a fixed schedule. Standard library only; needs Debian's haproxy and wrk.

  1. Starts 3 replicas of the built service on one model file (each --Shutdown:Drain 2 s) and HAProxy with two
     frontends: one over all 3 replicas, one over replica 1 alone. Both check GET /v2/health/ready every 500 ms.
  2. Throughput, 3 replicas against 1, in the same run: wrk on each frontend in turn (1, 3, 1, 3), --compare-seconds each.
  3. The fault run: wrk, 64 connections, --seconds (60), through the 3-replica frontend, while on a fixed schedule
     replica 1 gets SIGTERM and is restarted when it has exited, replica 2 gets SIGKILL and is restarted at once, and
     the model file is replaced by the alternative model (renamed over it), then by the first one again, so that every
     replica hot-reloads twice.
  4. HAProxy logs every request (accept time, status, active time, server, retries), so failures and latency are split
     by fault window; wrk gives the totals and its own socket errors.

Retry policy (HAProxy): 'retry-on conn-failure empty-response junk-response 503' with 'retries 3' and 'option
redispatch 1'. A classification is a pure function of the posted image, so sending a request again is safe: a request
on a connection that a killed replica dropped, or that found a replica not listening yet, or that got 503 from a
replica still loading its model, is sent again to another replica (redispatch: every retry goes elsewhere). Health
checks take a replica out within 500 ms of its readiness turning 503; the drain (2 s) outlasts that, so a replica
that is stopping gets no new requests before it closes its listener.

Writes OUT/scale.md and OUT/scale.json; prints each bar as MET or MISSED; exits 1 when a correctness bar is missed.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from servicekit import free_port, rss_mb, wait_ready

HERE = os.path.dirname(os.path.abspath(__file__))
DRAIN = 2.0
WINDOW = 8.0  # seconds after a fault that count as "during" it


def get(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return None, ""


def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


class Replica:
    def __init__(self, index, service, model, work):
        self.index, self.service, self.model, self.work = index, service, model, work
        self.port = free_port()
        self.proc = None
        self.starts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.starts += 1
        log = open(os.path.join(self.work, f"replica{self.index}-{self.starts}.log"), "w")
        self.proc = subprocess.Popen(
            [self.service, "--model", self.model, "--urls", self.url, "--Classifier:Provider", "Cpu",
             "--Shutdown:Drain", f"00:00:0{DRAIN:.0f}", "--Shutdown:RequestTimeout", "00:00:10",
             "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Toolchain.Inference.Hosting", "Information",
             "--Logging:LogLevel:Toolchain.Inference.Service.Lifecycle", "Information"],
            stdout=log, stderr=subprocess.STDOUT)
        return time.monotonic()

    def wait_ready(self, timeout=30):
        return wait_ready(self.proc, self.url, f"bench-scale: replica {self.index} (see {self.work})", timeout, poll=0.02)

    def active_requests(self):
        status, text = get(self.url + "/metrics", 1)
        if status != 200:
            return None
        total = sum(float(m.group(1)) for m in re.finditer(r"^http_server_active_requests\{[^}]*\} (\S+)$", text, re.M))
        return max(0, int(total) - 1)  # the scrape itself is one

    def model_sha(self):
        status, text = get(self.url + "/v1/model", 1)
        return json.loads(text).get("sha256") if status == 200 else None


def haproxy_config(replicas, port_all, port_one, log_path):
    servers = "\n".join(f"    server r{r.index} 127.0.0.1:{r.port} check" for r in replicas)
    return f"""global
    maxconn 4096
    log stdout format raw local0
defaults
    mode http
    log global
    log-format "%Ts.%ms %ST %Ta %s %rc %tsc %ft"
    timeout connect 500ms
    timeout client 30s
    timeout server 30s
    # The retry policy (see scale.py's docstring): classify is idempotent, so a request that met a dead, starting or
    # loading replica is sent again, to another replica each time.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response 503
    option httpchk GET /v2/health/ready
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 250ms fall 1 rise 2
frontend all
    bind 127.0.0.1:{port_all}
    default_backend replicas
frontend one
    bind 127.0.0.1:{port_one}
    default_backend replica1
backend replicas
    balance roundrobin
{servers}
backend replica1
    server r1 127.0.0.1:{replicas[0].port} check
"""


def run_wrk(url, seconds, connections, png, out):
    env = dict(os.environ, LOADTEST_PNG=png)
    with open(out, "w") as f:
        return subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                                 "-s", os.path.join(HERE, "post.lua"), url + "/v1/classify"], stdout=f,
                                stderr=subprocess.STDOUT, env=env)


def wrk_numbers(path):
    text = open(path).read()
    num = lambda pat: float(m.group(1)) if (m := re.search(pat, text)) else 0.0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "requests": int(num(r"(\d+) requests in")),
        "rps": num(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx": int(num(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "socket_error_detail": errors.group(0) if errors else "none",
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--service", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--alt-model", required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--compare-seconds", type=int, default=8)
    a = p.parse_args()
    for tool, how in (("haproxy", "apt-get install haproxy"), ("wrk", "apt-get install wrk")):
        if shutil.which(tool) is None:
            sys.exit(f"bench-scale: {tool} not found; install Debian's package: {how}")
    if a.seconds < 55:
        sys.exit("bench-scale: --seconds must be at least 55 (the fault schedule ends at 50 s)")
    for f in (a.service, a.model, a.alt_model, a.png):
        if not os.path.exists(f):
            sys.exit(f"bench-scale: {f} not found (make train writes the models; the Makefile builds the service)")

    work = tempfile.mkdtemp(prefix="bench-scale-")
    model = os.path.join(work, "model.onnx")
    shutil.copyfile(a.model, model)
    shas = {name: hashlib.sha256(open(path, "rb").read()).hexdigest() for name, path in (("first", a.model), ("alt", a.alt_model))}
    png = os.path.abspath(a.png)
    replicas = [Replica(i, os.path.abspath(a.service), model, work) for i in (1, 2, 3)]
    haproxy = None
    wrk = None
    try:
        for r in replicas:
            r.start()
        for r in replicas:
            r.wait_ready()
        port_all, port_one = free_port(), free_port()
        cfg = os.path.join(work, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(haproxy_config(replicas, port_all, port_one, None))
        hlog_path = os.path.join(work, "haproxy.log")
        hlog = open(hlog_path, "w")
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=hlog, stderr=subprocess.STDOUT)
        url_all, url_one = f"http://127.0.0.1:{port_all}", f"http://127.0.0.1:{port_one}"
        deadline = time.monotonic() + 10
        while get(url_all + "/v2/health/live")[0] != 200 or get(url_one + "/v2/health/live")[0] != 200:
            if time.monotonic() > deadline:
                sys.exit(f"bench-scale: HAProxy does not answer (see {hlog_path})")
            time.sleep(0.05)

        print(f"bench-scale: warm-up, then 3 replicas against 1, {a.compare_seconds} s each, interleaved", file=sys.stderr)
        run_wrk(url_all, 3, a.connections, png, os.path.join(work, "warmup.txt")).wait()
        compare = {"one": [], "three": []}
        for k, (name, url) in enumerate([("one", url_one), ("three", url_all), ("one", url_one), ("three", url_all)]):
            out = os.path.join(work, f"compare-{k}-{name}.txt")
            run_wrk(url, a.compare_seconds, a.connections, png, out).wait()
            compare[name].append(wrk_numbers(out)["rps"])
        rss_before = {r.index: round(rss_mb(r.proc.pid), 1) for r in replicas}

        print(f"bench-scale: fault run, {a.seconds} s at {a.connections} connections", file=sys.stderr)
        hlog.flush()
        log_offset = os.path.getsize(hlog_path)
        wrk_out = os.path.join(work, "faults.txt")
        t0_wall = time.time()
        t0 = time.monotonic()
        wrk = run_wrk(url_all, a.seconds, a.connections, png, wrk_out)
        events = {}

        def at(second):
            delay = t0 + second - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            return time.monotonic() - t0

        # 1. SIGTERM replica 1; restart it once it has drained and exited.
        r1 = replicas[0]
        t = at(8)
        old_pid = r1.proc.pid
        r1.proc.send_signal(signal.SIGTERM)
        code = r1.proc.wait(timeout=30)
        exited = time.monotonic() - t0
        restart = r1.start() - t0
        ready = r1.wait_ready() - t0
        events["sigterm"] = {"at": t, "pid": old_pid, "exit_code": code, "stopped_after_s": round(exited - t, 2),
                             "restarted_at": restart, "ready_after_restart_s": round(ready - restart, 2), "server": "r1"}
        # 2. SIGKILL replica 2; restart it at once.
        r2 = replicas[1]
        at(20)
        held = r2.active_requests()
        t = time.monotonic() - t0
        r2.proc.kill()
        r2.proc.wait()
        restart = r2.start() - t0
        ready = r2.wait_ready() - t0
        events["sigkill"] = {"at": t, "held": held, "restarted_at": restart, "ready_after_restart_s": round(ready - restart, 2),
                             "server": "r2"}

        # 3. and 4. Replace the model file by rename (alt, then the first again); every replica reloads.
        def swap(name, source, second):
            t = at(second)
            tmp = model + ".new"
            shutil.copyfile(source, tmp)
            os.replace(tmp, model)
            deadline = time.monotonic() + 15
            while any(r.model_sha() != shas[name] for r in replicas):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            reloaded = [r.model_sha() == shas[name] for r in replicas]
            events[f"swap_{name}"] = {"at": t, "all_reloaded": all(reloaded),
                                      "reloaded_after_s": round(time.monotonic() - t0 - t, 2)}

        swap("alt", a.alt_model, 32)
        swap("first", a.model, 42)
        wrk.wait(timeout=a.seconds + 30)
        wrk = None
        run_end = time.monotonic() - t0
        rss_after = {r.index: round(rss_mb(r.proc.pid), 1) for r in replicas}
        time.sleep(0.5)  # lets HAProxy write its last log lines; nothing is measured from this pause
        hlog.flush()
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        if haproxy is not None:
            haproxy.terminate()
            haproxy.wait()
        for r in replicas:
            if r.proc is not None and r.proc.poll() is None:
                r.proc.terminate()
        for r in replicas:
            if r.proc is not None:
                try:
                    r.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    r.proc.kill()

    # Requests of the fault run from HAProxy's log: accept time (s from wrk's start), status, active ms, server, retries.
    requests = []
    with open(hlog_path) as f:
        f.seek(log_offset)
        for line in f:
            parts = line.split()
            if len(parts) < 7 or parts[6] != "all":
                continue
            try:
                when = float(parts[0]) - t0_wall
                requests.append((when, int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5]))
            except ValueError:
                continue
    windows = {
        "sigterm": (events["sigterm"]["at"], events["sigterm"]["at"] + WINDOW),
        "sigkill": (events["sigkill"]["at"], events["sigkill"]["at"] + WINDOW),
        "swap_alt": (events["swap_alt"]["at"], events["swap_alt"]["at"] + WINDOW),
        "swap_first": (events["swap_first"]["at"], events["swap_first"]["at"] + WINDOW),
    }

    def phase_of(when):
        for name, (start, end) in windows.items():
            if start <= when < end:
                return name
        return "calm" if 1.0 <= when < run_end - 1.0 else None

    phases = {name: {"requests": 0, "non_2xx": 0, "latencies": [], "retried": 0} for name in ["calm", *windows]}
    for when, status, active, server, retries, _ in requests:
        name = phase_of(when)
        if name is None:
            continue
        ph = phases[name]
        ph["requests"] += 1
        ph["non_2xx"] += 0 if 200 <= status < 300 else 1
        ph["retried"] += 0 if retries in ("0", "-1") else 1
        if active >= 0:
            ph["latencies"].append(active)
    for ph in phases.values():
        lat = ph.pop("latencies")
        ph["p50_ms"], ph["p99_ms"] = pct(lat, 50), pct(lat, 99)
    # What replica 1 answered between its SIGTERM and its exit: requests it had, and those that reached it while it drained.
    term = events["sigterm"]
    term["served_while_draining"] = sum(1 for when, status, _, server, _, _ in requests
                                        if server == "r1" and term["at"] <= when < term["at"] + term["stopped_after_s"] and 200 <= status < 300)
    for name in ("sigterm", "sigkill"):
        ev = events[name]
        served = [when for when, status, _, server, _, _ in requests if server == ev["server"] and when >= ev["restarted_at"] and 200 <= status < 300]
        ev["serving_after_restart_s"] = round(min(served) - ev["restarted_at"], 2) if served else None

    total = wrk_numbers(wrk_out)
    one, three = statistics.mean(compare["one"]), statistics.mean(compare["three"])
    bars = [
        ("0 failed requests across the SIGTERM restart", phases["sigterm"]["non_2xx"] == 0 and total["socket_errors"] == 0,
         f"{phases['sigterm']['non_2xx']} non-2xx; wrk socket errors in the whole run {total['socket_errors']}"),
        ("0 failed requests across the model swaps", phases["swap_alt"]["non_2xx"] + phases["swap_first"]["non_2xx"] == 0 and total["socket_errors"] == 0,
         f"{phases['swap_alt']['non_2xx']} + {phases['swap_first']['non_2xx']} non-2xx; every replica reloaded: "
         f"{events['swap_alt']['all_reloaded'] and events['swap_first']['all_reloaded']}"),
        ("SIGKILL: failures no more than the requests the replica held", events["sigkill"]["held"] is not None and phases["sigkill"]["non_2xx"] <= events["sigkill"]["held"],
         f"{phases['sigkill']['non_2xx']} failed, {events['sigkill']['held']} held at the kill"),
        ("every replica ready and serving within 10 s of its restart",
         all(events[n]["ready_after_restart_s"] <= 10 and (events[n]["serving_after_restart_s"] or 99) <= 10 for n in ("sigterm", "sigkill")),
         "; ".join(f"{n}: ready {events[n]['ready_after_restart_s']} s, serving {events[n]['serving_after_restart_s']} s" for n in ("sigterm", "sigkill"))),
        ("SIGTERM: exit code 0 after the drain", term["exit_code"] == 0, f"exit {term['exit_code']} after {term['stopped_after_s']} s (drain {DRAIN:.0f} s)"),
    ]
    report = {
        "settings": {"replicas": 3, "connections": a.connections, "seconds": a.seconds, "compare_seconds": a.compare_seconds,
                     "drain_s": DRAIN, "fault_window_s": WINDOW, "model": a.model, "alt_model": a.alt_model,
                     "machine": f"{os.cpu_count()} cores, loopback; wrk, HAProxy and the 3 replicas share them"},
        "total": total, "phases": phases, "events": events,
        "throughput": {"one_replica_rps": compare["one"], "three_replicas_rps": compare["three"], "ratio": round(three / one, 2) if one else None},
        "rss_mib": {"before": rss_before, "after": rss_after},
        "bars": [{"bar": b, "met": ok, "detail": d} for b, ok, d in bars],
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "scale.json"), "w") as f:
        json.dump(report, f, indent=2)
    fmt = lambda v: "-" if v is None else str(v)
    lines = [
        "# bench-scale: 3 replicas behind HAProxy, with faults",
        "",
        f"wrk -t2 -c{a.connections} -d{a.seconds}s through HAProxy (round robin, checks on /v2/health/ready every 500 ms, "
        f"retry-on conn-failure empty-response junk-response 503, retries 3, redispatch) to 3 replicas of the service on one "
        f"model file; {report['settings']['machine']}. Phases are {WINDOW:.0f} s from each fault; latency is HAProxy's "
        f"active time per request (ms resolution).",
        "",
        f"Total: {total['requests']} requests, {total['non_2xx']} non-2xx, socket errors: {total['socket_error_detail']}.",
        "",
        "| phase | starts at | requests | non-2xx | retried by HAProxy | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    starts = {"calm": "-", **{n: f"{w[0]:.1f} s" for n, w in windows.items()}}
    labels = {"calm": "calm", "sigterm": "SIGTERM replica 1 + restart", "sigkill": "SIGKILL replica 2 + restart",
              "swap_alt": "model file -> alt model", "swap_first": "model file -> first model"}
    for name, ph in phases.items():
        lines.append(f"| {labels[name]} | {starts[name]} | {ph['requests']} | {ph['non_2xx']} | {ph['retried']} | {fmt(ph['p50_ms'])} | {fmt(ph['p99_ms'])} |")
    lines += [
        "",
        f"SIGTERM: replica 1 exited {term['exit_code']} {term['stopped_after_s']} s after the signal (drain {DRAIN:.0f} s), "
        f"answering {term['served_while_draining']} requests meanwhile; ready {term['ready_after_restart_s']} s after its restart, "
        f"serving through HAProxy after {fmt(term['serving_after_restart_s'])} s.",
        f"SIGKILL: replica 2 held {fmt(events['sigkill']['held'])} requests when killed; ready {events['sigkill']['ready_after_restart_s']} s "
        f"after its restart, serving after {fmt(events['sigkill']['serving_after_restart_s'])} s.",
        f"Model swaps: all replicas reloaded the alt model within {events['swap_alt']['reloaded_after_s']} s "
        f"({events['swap_alt']['all_reloaded']}), and the first again within {events['swap_first']['reloaded_after_s']} s "
        f"({events['swap_first']['all_reloaded']}).",
        "",
        f"Throughput, same run, {a.compare_seconds} s each, interleaved: 1 replica {', '.join(f'{v:.0f}' for v in compare['one'])} req/s; "
        f"3 replicas {', '.join(f'{v:.0f}' for v in compare['three'])} req/s; ratio {report['throughput']['ratio']}. "
        f"Expected on {os.cpu_count()} cores: no real scale-up, since one replica can already keep every core busy; "
        f"replicas on one machine buy availability, throughput only across machines. The spread between the two runs "
        f"of each says how noisy a shared machine makes these figures.",
        "",
        "| replica | RSS before (MiB) | RSS after (MiB) |",
        "|---|---|---|",
    ]
    for r in replicas:
        note = " (restarted)" if r.starts > 1 else ""
        lines.append(f"| {r.index}{note} | {fmt(rss_before[r.index])} | {fmt(rss_after[r.index])} |")
    lines += ["", "| bar | result | detail |", "|---|---|---|"]
    for b, ok, d in bars:
        lines.append(f"| {b} | {'MET' if ok else 'MISSED'} | {d} |")
    with open(os.path.join(a.out, "scale.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    for b, ok, d in bars:
        print(f"bench-scale: {'MET' if ok else 'MISSED'}: {b} ({d})", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True) if all(ok for _, ok, _ in bars) else print(f"bench-scale: logs kept in {work}", file=sys.stderr)
    return 0 if all(ok for _, ok, _ in bars) else 1


if __name__ == "__main__":
    sys.exit(main())
