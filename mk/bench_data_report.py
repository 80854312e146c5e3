#!/usr/bin/env python3
"""Writes artifacts/bench/data.md from what 'make bench-data' left (issue 24: read the JSON, not the prose): each
training run's metrics.json (test accuracy, samples/s, start-up) and infer eval's report.json. The two data-loading
figures (decode and cache, read from the cache) are in no JSON file, so they alone come from the trainer's log lines.

usage: bench_data_report.py BENCH_DIR OUT.md --pairs N --epochs E --colour-epochs C --colour-args ARGS"""
import argparse
import json
import os
import re
import sys


def metrics(bench, run):
    path = os.path.join(bench, run, "metrics.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"bench-data-report: {path}: {e}")


def log_figure(bench, log, pattern):
    try:
        with open(os.path.join(bench, log), encoding="utf-8", errors="replace") as f:
            match = re.search(pattern, f.read())
    except OSError:
        match = None
    return match.group(0) if match else "(not in " + log + ")"


def speed_range(bench, model, pairs):
    idx = [metrics(bench, f"{model}-idx-{i}")["samples_per_second"] for i in range(1, pairs + 1)]
    png = [metrics(bench, f"{model}-png-{i}")["samples_per_second"] for i in range(1, pairs + 1)]
    ratios = [p / i for i, p in zip(idx, png)]
    return (f"IDX {min(idx):,.0f}–{max(idx):,.0f} samples/s, PNG {min(png):,.0f}–{max(png):,.0f}, "
            f"PNG/IDX {min(ratios):.2f}–{max(ratios):.2f} ({pairs} interleaved pair{'s' if pairs > 1 else ''})")


def accuracy(m):
    return f"test accuracy {100 * m['test_accuracy']:.2f}% ({m['test_count']:,} test, {m['epochs']} epochs, seed {m['seed']})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bench")
    p.add_argument("out")
    p.add_argument("--pairs", type=int, required=True)
    p.add_argument("--epochs", required=True)
    p.add_argument("--colour-epochs", required=True)
    p.add_argument("--colour-args", default="")
    a = p.parse_args()
    b = a.bench
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    cached = metrics(b, "png-cached")
    try:
        with open(os.path.join(b, "colour-cnn", "eval", "report.json")) as f:
            colour_eval = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"bench-data-report: colour-cnn/eval/report.json: {e}")
    with open(os.path.join(b, "colour-classify.jsonl")) as f:
        answers = sum(1 for line in f if line.strip())
    rows = [
        ("iris (scikit-learn 0.967)", accuracy(metrics(b, "iris"))),
        ("PNGs decoded and cached", log_figure(b, "png-first.log", r"decoded and cached in [0-9.]+ s")),
        ("cached run: data read", log_figure(b, "png-cached.log", r"read from the cache in [0-9.]+ s")),
        ("cached run: process start to first training batch (issue: within 3 s)", f"{cached['startup_seconds']:.2f} s"),
        ("mlp epoch speed, IDX vs PNG", speed_range(b, "mlp", a.pairs)),
        ("cnn epoch speed, IDX vs PNG", speed_range(b, "cnn", 1)),
    ]
    rows += [(run, accuracy(metrics(b, run))) for run in ("mlp-idx-1", "mlp-png-1", "cnn-idx-1", "cnn-png-1", "colour-cnn")]
    rows += [("infer classify, colour test PNGs", f"{answers:,} answers"),
             ("infer eval, colour test PNGs", f"accuracy {100 * colour_eval['accuracy']:.2f}% ({colour_eval['count']:,} images)")]
    text = "\n".join([
        "# Training on image folders and CSV tables", "",
        f"Machine: {os.cpu_count()} cores, load {load}; epochs {a.epochs} (colour cnn {a.colour_epochs}, {a.colour_args or 'defaults'}).", "",
        "| What | Figure |", "|---|---|", *[f"| {what} | {figure} |" for what, figure in rows]]) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
