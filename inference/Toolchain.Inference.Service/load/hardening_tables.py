#!/usr/bin/env python3
"""Hostile CSV tables against `infer predict` and `trainer train`, measured (make bench-hardening, issue 21 item 6).

Writes, under WORK:
  - line-500MB.csv: an iris header, then one 500 MB line without a line break;
  - hole-8GB.csv: a valid first 3 KB, then a sparse 8 GB hole (NUL bytes, no line break; it costs no disk);
  - predict-25MB.csv: about a million iris rows;
  - cols-40k.csv: 40,000 feature columns and a label, 40 rows.
Runs each through `infer predict` (with an iris table model, trained here when --model is not given) and the long
line and the hole through `trainer train mlp` too; records wall seconds, peak RSS (wait4's ru_maxrss of that one
child) and the exit code. The bars are loose, for memory in proportion to the input: a refused file within 300 MB and
30 s and exit 1 (not a crash); the 25 MB file predicted with exit 0 within 400 MB; the 40k-column table trained and
predicted within 60 s each. Writes OUT/hardening-tables.md and .json; exits 1 when a bar is missed.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

from servicekit import measured, write_report

HEADER = "sepal_length,sepal_width,petal_length,petal_width,species\n"
SPECIES = ["setosa", "versicolor", "virginica"]


def iris_rows(count):
    return "".join(f"{5 + i % 3}.{i % 10},3.{i % 7},{1 + (i % 3) * 2}.4,{(i % 3) * 0.9:.1f},{SPECIES[i % 3]}\n" for i in range(count))


def write_if_missing(path, writer):
    if os.path.exists(path):
        return
    with open(path + ".tmp", "w") as f:
        writer(f)
    os.replace(path + ".tmp", path)


def make_inputs(work):
    os.makedirs(work, exist_ok=True)
    files = {}

    def long_line(f):
        f.write(HEADER)
        chunk = "1," * (1 << 20)
        for _ in range(250):
            f.write(chunk)
    files["line"] = os.path.join(work, "line-500MB.csv")
    write_if_missing(files["line"], long_line)

    files["hole"] = os.path.join(work, "hole-8GB.csv")
    if not os.path.exists(files["hole"]):
        with open(files["hole"], "w") as f:
            f.write(HEADER + iris_rows(120))
        os.truncate(files["hole"], 8 << 30)

    files["predict"] = os.path.join(work, "predict-25MB.csv")
    block = iris_rows(3000)
    write_if_missing(files["predict"], lambda f: (f.write(HEADER), [f.write(block) for _ in range(25 * (1 << 20) // len(block))]))

    files["cols"] = os.path.join(work, "cols-40k.csv")
    width = 40_000
    write_if_missing(files["cols"], lambda f: (
        f.write(",".join(f"c{i}" for i in range(width)) + ",label\n"),
        [f.write(",".join("1" if (i + r) % 7 else "0" for i in range(width)) + f",{'ab'[r % 2]}\n") for r in range(40)]))

    files["iris"] = os.path.join(work, "iris.csv")
    write_if_missing(files["iris"], lambda f: f.write(HEADER + iris_rows(150)))
    return files


def run_measured(argv, stdout_path):
    with open(stdout_path, "wb") as out, open(stdout_path + ".err", "wb") as err:
        seconds, peak, code, _, _ = measured(argv, stdout=out, stderr=err)
    with open(stdout_path + ".err", "rb") as err:
        errors = err.read().decode("utf-8", "replace").strip().splitlines()
    with open(stdout_path, "rb") as out:
        lines = sum(1 for _ in out)
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1), "exit": code, "stdout_lines": lines,
            "stderr_lines": len(errors), "answer": (errors[-1] if errors else "")[:200]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--infer", required=True, help="command that runs infer, e.g. 'dotnet path/infer.dll'")
    parser.add_argument("--trainer", required=True, help="command that runs the trainer")
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", help="folder for the generated tables (default OUT/hardening-tables-inputs)")
    parser.add_argument("--model", help="an iris table model; trained into WORK when not given")
    parser.add_argument("--keep", action="store_true", help="keep the 500 MB file for the next run")
    args = parser.parse_args()
    infer, trainer = shlex.split(args.infer), shlex.split(args.trainer)
    os.makedirs(args.out, exist_ok=True)
    work = args.work or os.path.join(args.out, "hardening-tables-inputs")
    files = make_inputs(work)
    scratch = os.path.join(work, "runs")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)

    model = args.model
    if model is None:
        model = os.path.join(work, "iris-model", "model.onnx")
        if not os.path.exists(model):
            subprocess.run(trainer + ["train", "mlp", "--dataset", files["iris"], "--epochs", "50", "--quiet",
                                      "--out", os.path.dirname(model)], check=True, stdout=subprocess.DEVNULL)
    cols_model = os.path.join(scratch, "cols-model")

    refused = {"max_rss_mb": 300, "max_seconds": 30, "exit": 1}
    cases = [
        ("predict, 500 MB line", infer + ["predict", "--model", model, files["line"]], refused),
        ("train, 500 MB line", trainer + ["train", "mlp", "--dataset", files["line"], "--epochs", "1", "--no-export",
                                          "--out", os.path.join(scratch, "t-line")], refused),
        ("predict, sparse 8 GB", infer + ["predict", "--model", model, files["hole"]], refused),
        ("train, sparse 8 GB", trainer + ["train", "mlp", "--dataset", files["hole"], "--epochs", "1", "--no-export",
                                          "--out", os.path.join(scratch, "t-hole")], refused),
        ("predict, 25 MB (1M rows)", infer + ["predict", "--model", model, files["predict"]],
         {"max_rss_mb": 400, "max_seconds": 120, "exit": 0}),
        ("predict --json, 25 MB", infer + ["predict", "--json", "--model", model, files["predict"]],
         {"max_rss_mb": 400, "max_seconds": 120, "exit": 0}),
        ("train, 40k columns", trainer + ["train", "mlp", "--dataset", files["cols"], "--epochs", "1", "--arch", "flatten linear(16) relu linear(2)",
                                          "--test-fraction", "0.5", "--out", cols_model],
         {"max_rss_mb": 2000, "max_seconds": 60, "exit": 0}),
        ("predict, 40k columns", infer + ["predict", "--model", os.path.join(cols_model, "model.onnx"), files["cols"]],
         {"max_rss_mb": 1000, "max_seconds": 60, "exit": 0}),
    ]
    results, failed = [], []
    for i, (name, argv, bar) in enumerate(cases):
        row = {"case": name} | run_measured(argv, os.path.join(scratch, f"case{i}.out"))
        row["bar"] = bar
        row["met"] = row["exit"] == bar["exit"] and row["peak_rss_mb"] < bar["max_rss_mb"] and row["seconds"] < bar["max_seconds"]
        results.append(row)
        print(f"{name}: exit {row['exit']}, {row['seconds']} s, {row['peak_rss_mb']} MB: {row['answer']}", flush=True)
        if not row["met"]:
            failed.append(f"{name}: exit {row['exit']}, {row['seconds']} s, {row['peak_rss_mb']} MB")
    if not args.keep:
        os.remove(files["line"])

    lines = ["# Hostile tables (make bench-hardening)", "",
             "| case | wall s | peak RSS MB | exit | stdout lines | last stderr line | bar | |", "|---|---|---|---|---|---|---|---|"]
    for row in results:
        bar = row["bar"]
        lines.append(f"| {row['case']} | {row['seconds']} | {row['peak_rss_mb']} | {row['exit']} | {row['stdout_lines']:,} | "
                     f"{row['answer'].replace('|', '/')} | exit {bar['exit']}, <{bar['max_rss_mb']} MB, <{bar['max_seconds']} s | "
                     f"{'MET' if row['met'] else 'MISSED'} |")
    text = "\n".join(lines) + "\n"
    return write_report(args.out, "hardening-tables", text, results, failed)


if __name__ == "__main__":
    sys.exit(main())
