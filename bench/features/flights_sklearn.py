#!/usr/bin/python3
"""scikit-learn reference for `streamlearn bench features` (FeaturesBench), quality row.

One pass over flights-20k.json in file (time) order, label delay > 15, prequential at batch 32: each
batch is first scored with the model and the feature statistics as they are (test), then the
statistics learn it and SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01).partial_fit
trains on it (train), as the issue's reference does. Dense rows (scikit-learn 1.2+ updates the
intercept 100x more slowly on sparse input): origin and destination each hashed one-hot into
--buckets columns (bucket = (murmurhash3_32(value, seed=0) & 0x7fffffff) % buckets, the streamlearn
bucket), cyclic hour of day (with minutes) and day of week as sin/cos, distance standardized with a
running mean and population std (Welford; 0 until two different values were seen), updated before
the training rows are transformed.
Before the first fit the model predicts 0.5. Prints `SKLEARN <version>` and `RESULT key=value` lines
(or `SKIP reason` when scikit-learn is missing) for FeaturesBench to parse.

Usage: /usr/bin/python3 bench/features/flights_sklearn.py --data path/to/flights-20k.json [--batch 32] [--buckets 1024]
"""
import argparse
import datetime
import json
import math
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.utils import murmurhash3_32
except ImportError as e:  # the Java side prints the reason and carries on without the reference
    print(f"SKIP {e}")
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--buckets", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with open(args.data, "rb") as f:
        flights = json.load(f)
    n = len(flights)
    buckets = args.buckets
    width = 2 * buckets + 4 + 1
    y_all = np.array([1 if r["delay"] > 15 else 0 for r in flights], dtype=np.int64)

    def bucket(value):
        return (murmurhash3_32(str(value), seed=0) & 0x7FFFFFFF) % buckets

    cyclic = np.zeros((n, 4))
    origin = np.zeros(n, dtype=np.int64)
    destination = np.zeros(n, dtype=np.int64)
    distance = np.zeros(n)
    for i, r in enumerate(flights):
        t = datetime.datetime.strptime(r["date"], "%Y/%m/%d %H:%M")
        hour = 2 * math.pi * (t.hour + t.minute / 60.0) / 24.0
        weekday = 2 * math.pi * t.weekday() / 7.0
        cyclic[i] = (math.sin(hour), math.cos(hour), math.sin(weekday), math.cos(weekday))
        origin[i] = bucket(r["origin"])
        destination[i] = bucket(r["destination"])
        distance[i] = float(r["distance"])

    stats = [0, 0.0, 0.0]  # count, mean, m2

    def rows(lo, hi):
        x = np.zeros((hi - lo, width))
        count, mean, m2 = stats
        scaled = count >= 2 and m2 > 0  # 0 until two different values were seen, as streamlearn's numeric
        std = math.sqrt(m2 / count) if scaled else 1.0
        for k, i in enumerate(range(lo, hi)):
            x[k, origin[i]] = 1.0
            x[k, buckets + destination[i]] = 1.0
            x[k, 2 * buckets:2 * buckets + 4] = cyclic[i]
            x[k, 2 * buckets + 4] = (distance[i] - mean) / std if scaled else 0.0
        return x

    def learn(lo, hi):
        for i in range(lo, hi):
            stats[0] += 1
            delta = distance[i] - stats[1]
            stats[1] += delta / stats[0]
            stats[2] += delta * (distance[i] - stats[1])

    clf = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, random_state=args.seed)
    fitted = False
    scores = np.zeros(n)
    start = time.perf_counter()
    for lo in range(0, n, args.batch):
        hi = min(n, lo + args.batch)
        if fitted:
            scores[lo:hi] = clf.predict_proba(rows(lo, hi))[:, 1]
        else:
            scores[lo:hi] = 0.5
        learn(lo, hi)
        clf.partial_fit(rows(lo, hi), y_all[lo:hi], classes=np.array([0, 1]))
        fitted = True
    seconds = time.perf_counter() - start
    p = np.clip(scores, 1e-15, 1 - 1e-15)
    logloss = float(-np.mean(y_all * np.log(p) + (1 - y_all) * np.log(1 - p)))
    print(f"SKLEARN {sklearn.__version__}")
    print(f"RESULT auc={roc_auc_score(y_all, scores):.6f}")
    print(f"RESULT logloss={logloss:.6f}")
    print(f"RESULT rows={n}")
    print(f"RESULT seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
