#!/usr/bin/python3
"""Writes scikit-learn's 8x8 digits (Debian's python3-sklearn data file) as grey PNGs in class folders.

    digits-images.py OUT_DIR [--test-fraction 0.2] [--seed 0]

OUT_DIR/train/<digit>/NNNN.png and OUT_DIR/test/<digit>/NNNN.png: 1,797 images, 8x8, the 0-16 ink values scaled to
0-255 (white ink on black, as MNIST), split stratified and seeded. Then, when scikit-learn imports, prints its
reference accuracies on exactly that split (a bench figure; nothing depends on scikit-learn).
"""
import argparse
import gzip
import os
import random
import sys

from PIL import Image

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--test-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if not os.path.exists(DATA):
        sys.exit(f"digits-images: {DATA} is missing; install Debian's python3-sklearn")
    rows = []
    with gzip.open(DATA, "rt") as f:
        for line in f:
            v = [int(x) for x in line.strip().split(",")]
            rows.append((v[:64], v[64]))
    # Stratified: each class's rows shuffled with the seed, the first share of each to test.
    rng = random.Random(a.seed)
    by_class = {}
    for i, (_, label) in enumerate(rows):
        by_class.setdefault(label, []).append(i)
    test = set()
    for label in sorted(by_class):
        idx = by_class[label]
        rng.shuffle(idx)
        test.update(idx[: round(len(idx) * a.test_fraction)])
    for i, (pixels, label) in enumerate(rows):
        split = "test" if i in test else "train"
        folder = os.path.join(a.out, split, str(label))
        os.makedirs(folder, exist_ok=True)
        img = Image.new("L", (8, 8))
        img.putdata([min(255, round(v * 255 / 16)) for v in pixels])
        img.save(os.path.join(folder, f"{i:04d}.png"))
    print(f"digits-images: {len(rows) - len(test)} train and {len(test)} test images in {a.out}")
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import SVC
    except ImportError:
        print("digits-images: scikit-learn not importable; no reference figures")
        return
    tr = [i for i in range(len(rows)) if i not in test]
    te = sorted(test)
    X = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    for name, model in [("LogisticRegression(max_iter=5000)", LogisticRegression(max_iter=5000)),
                        ("SVC(gamma=0.001)", SVC(gamma=0.001))]:
        model.fit(X[tr], y[tr])
        print(f"scikit-learn {name}: test accuracy {100 * (model.predict(X[te]) == y[te]).mean():.2f}% on this split")


if __name__ == "__main__":
    main()
