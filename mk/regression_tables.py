"""Public regression tables for `make bench-data`, written as train.csv/test.csv folders, with scikit-learn baselines.

The tables come from Debian packages (no download): scikit-learn's diabetes data (python3-sklearn) and statsmodels'
datasets (python3-statsmodels). Each is split once (seeded, 80/20) and written as <out>/<name>/{train,test}.csv, so the
trainer and scikit-learn see the same rows. scikit-learn's LinearRegression and MLPRegressor (its defaults, standardised
features, as our graph does) are fitted on train and scored on test; the figures go to <out>/<name>/sklearn.json.

Usage: python3 regression_tables.py OUT [NAME ...]            writes the tables and scikit-learn's figures
       python3 regression_tables.py --report OUT [NAME ...]   a Markdown table of those figures beside ours
                                                               (OUT/<name>/eval.json, written by `infer eval --json`)
A bench figure only: nothing in the toolchain imports this. Run it with Debian's /usr/bin/python3, whose
python3-sklearn and python3-statsmodels hold the tables.
"""
import csv
import gzip
import json
import os
import sys

import numpy as np

SPLIT_SEED = 0
TEST_FRACTION = 0.2


def diabetes():
    base = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
    x = np.loadtxt(gzip.open(f"{base}/diabetes_data_raw.csv.gz"))
    y = np.loadtxt(gzip.open(f"{base}/diabetes_target.csv.gz"))
    names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    return names, x, y[:, None], ["progression"], "scikit-learn diabetes (python3-sklearn), 442 rows, 10 features"


def statsmodels_table(folder, target, drop=(), sep=","):
    path = f"/usr/lib/python3/dist-packages/statsmodels/datasets/{folder}/{folder}.csv"
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=sep))
    header = [h.strip().strip("'\"") for h in rows[0]]
    data = [r for r in rows[1:] if r]
    keep = [i for i, h in enumerate(header) if h != target and h not in drop]
    t = header.index(target)
    x = np.array([[float(r[i]) for i in keep] for r in data])
    y = np.array([[float(r[t])] for r in data])
    return [header[i] for i in keep], x, y, [target], f"statsmodels {folder} (python3-statsmodels), {len(data)} rows, {len(keep)} features"


def linnerud():
    base = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
    ex = np.loadtxt(f"{base}/linnerud_exercise.csv", skiprows=1)
    ph = np.loadtxt(f"{base}/linnerud_physiological.csv", skiprows=1)
    return ["Chins", "Situps", "Jumps"], ex, ph, ["Weight", "Waist", "Pulse"], "scikit-learn linnerud (python3-sklearn), 20 rows, 3 targets"


TABLES = {
    "diabetes": diabetes,
    "star98": lambda: statsmodels_table("star98", "MATHTOT"),
    "fair": lambda: statsmodels_table("fair", "affairs"),
    "macrodata": lambda: statsmodels_table("macrodata", "realinv", drop=("year", "quarter")),
    "engel": lambda: statsmodels_table("engel", "foodexp"),
    "randhie": lambda: statsmodels_table("randhie", "mdvis"),
    "grunfeld": lambda: statsmodels_table("grunfeld", "invest", drop=("firm",)),
    "linnerud": linnerud,
}


def write(path, names, x, targets, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names + targets)
        for a, b in zip(x, y):
            w.writerow([repr(float(v)) for v in a] + [repr(float(v)) for v in b])


def r2(y, p):
    return float(np.mean([1 - ((y[:, t] - p[:, t]) ** 2).sum() / ((y[:, t] - y[:, t].mean()) ** 2).sum() for t in range(y.shape[1])]))


def scores(y, p):
    return {"r2": r2(y, p), "mae": float(np.mean(np.abs(y - p))), "rmse": float(np.mean(np.sqrt(((y - p) ** 2).mean(axis=0))))}


def report(out, names):
    print("| table | rows (train/test) | ours: R² | MAE | RMSE | LinearRegression R² | MLPRegressor R² | R² ≥ linear |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        folder = os.path.join(out, name)
        try:
            with open(os.path.join(folder, "sklearn.json")) as f:
                sk = json.load(f)
            with open(os.path.join(folder, "eval.json")) as f:
                ours = json.load(f)
        except FileNotFoundError as e:
            print(f"| {name} | not run: {e.filename} is missing | | | | | | |")
            continue
        linear = sk.get("linear_regression", {}).get("r2")
        mlp = sk.get("mlp_regressor", {}).get("r2")
        fmt = lambda v: "n/a" if v is None else f"{v:.4f}"
        verdict = "n/a" if linear is None else ("yes" if ours["r2"] >= linear else "NO")
        print(f"| {name} ({', '.join(sk['targets'])}) | {sk['train']}/{sk['test']} | {ours['r2']:.4f} | {ours['mae']:.4g} | {ours['rmse']:.4g} "
              f"| {fmt(linear)} | {fmt(mlp)} | {verdict} |")


def main():
    if sys.argv[1] == "--report":
        report(sys.argv[2], sys.argv[3:] or list(TABLES))
        return
    out = sys.argv[1]
    names = sys.argv[2:] or list(TABLES)
    for name in names:
        try:
            features, x, y, targets, source = TABLES[name]()
        except (FileNotFoundError, OSError) as e:
            # The tables ship inside python3-sklearn and python3-statsmodels; without them there is nothing to bench.
            print(f"{name}: skipped, {e} (apt install python3-sklearn python3-statsmodels)", file=sys.stderr)
            continue
        rng = np.random.default_rng(SPLIT_SEED)
        order = rng.permutation(len(x))
        n_test = int(round(TEST_FRACTION * len(x)))
        test, train = order[:n_test], order[n_test:]
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        write(os.path.join(folder, "train.csv"), features, x[train], targets, y[train])
        write(os.path.join(folder, "test.csv"), features, x[test], targets, y[test])
        with open(os.path.join(folder, "targets.txt"), "w") as f:
            f.write(",".join(targets) + "\n")
        result = {"source": source, "train": len(train), "test": len(test), "targets": targets}
        try:
            from sklearn.linear_model import LinearRegression
            from sklearn.neural_network import MLPRegressor
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler
            import warnings
            warnings.filterwarnings("ignore")
            linear = LinearRegression().fit(x[train], y[train])
            result["linear_regression"] = scores(y[test], linear.predict(x[test]).reshape(len(test), -1))
            mlp = make_pipeline(StandardScaler(), MLPRegressor(random_state=0, max_iter=2000)).fit(x[train], y[train] if y.shape[1] > 1 else y[train, 0])
            result["mlp_regressor"] = scores(y[test], mlp.predict(x[test]).reshape(len(test), -1))
        except ImportError:
            result["sklearn"] = "python3-sklearn is not installed"
        with open(os.path.join(folder, "sklearn.json"), "w") as f:
            json.dump(result, f, indent=1)
        print(name, json.dumps(result))


if __name__ == "__main__":
    main()
