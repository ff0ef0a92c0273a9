#!/usr/bin/python3
"""PyTorch reference for the streamlearn engine benchmark (EngineBench).

Runs exactly what EngineBench runs, on one thread: Fashion-MNIST, inputs scaled to [0, 1], one pass
in file order at batch 64 with Adam 1e-3 for the MLP 784-128-10 (relu, softmax cross-entropy) and for
softmax regression; prequential accuracy from the forward pass made before each update; test
accuracy after the pass; forward-only throughput of the trained MLP at batch 64; median latency of one
example; then, for each of --seeds (default 1,2,3,4; "none" for none), one more MLP pass for its
prequential and test accuracy (`mlp_preq_acc_seed<N>`, `mlp_test_acc_seed<N>`). The bench's own
passes use seed 42. Unless --cnn 0, also one pass (timed once) of the CNN
input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > conv2d(64,3,relu) > maxpool(2) > dense(128,relu) > dense(10)
with PyTorch's default initialisation (`cnn_train_eps`, `cnn_test_acc`, `cnn_preq_acc`). Prints `TORCH <version>` and `RESULT key=value` lines (or `SKIP reason` when torch is
missing) for EngineBench to parse.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 bench/engine/pytorch_reference.py [--data DIR] [--repeats N] [--seeds 1,2,3,4] [--cnn 1]
"""
import argparse
import gzip
import os
import struct
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
try:
    import numpy as np
    import torch
except ImportError as e:  # the Java side prints the reason and carries on without the reference
    print(f"SKIP {e}")
    sys.exit(0)

BATCH = 64


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        rank = magic & 0xFF
        dims = struct.unpack(">" + "I" * rank, f.read(4 * rank))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def find(directory, base):
    for name in (base + ".gz", base):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(f"missing file {os.path.join(directory, base + '.gz')}")


def load(directory, train):
    prefix = "train" if train else "t10k"
    x = read_idx(find(directory, prefix + "-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(find(directory, prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def build(kind):
    if kind == "cnn":
        nn = torch.nn
        return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    if kind == "mlp":
        return torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return torch.nn.Sequential(torch.nn.Linear(784, 10))


def train_one_pass(kind, xtr, ytr, xte, yte, seed=42):
    torch.manual_seed(seed)
    model = build(kind)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    correct = 0
    n = xtr.shape[0]
    start = time.perf_counter()
    for i in range(0, n, BATCH):
        xb = xtr[i:i + BATCH]
        yb = ytr[i:i + BATCH]
        logits = model(xb)
        loss = loss_fn(logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        correct += (logits.argmax(1) == yb).sum().item()
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        model.eval()
        test_acc = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                       for i in range(0, xte.shape[0], 1000)) / xte.shape[0]
    return model, n / elapsed, test_acc, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seeds", default="1,2,3,4")
    ap.add_argument("--cnn", default="1")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"TORCH {torch.__version__}")
    xtr, ytr = load(args.data, True)
    xte, yte = load(args.data, False)
    results = {}
    for kind in ("mlp", "softmax"):
        best = None
        for _ in range(max(1, args.repeats)):
            r = train_one_pass(kind, xtr, ytr, xte, yte)
            if best is None or r[1] > best[1]:
                best = r
        model, eps, test_acc, preq = best
        results[f"{kind}_train_eps"] = eps
        results[f"{kind}_test_acc"] = test_acc
        results[f"{kind}_preq_acc"] = preq
        if kind == "mlp":
            mlp = model
    batches = xte.shape[0] // BATCH
    best_infer = 0.0
    with torch.inference_mode():
        for rep in range(max(2, args.repeats + 1)):
            start = time.perf_counter()
            for b in range(batches):
                torch.softmax(mlp(xte[b * BATCH:(b + 1) * BATCH]), 1)
            elapsed = time.perf_counter() - start
            if rep > 0:
                best_infer = max(best_infer, batches * BATCH / elapsed)
        results["mlp_infer_eps"] = best_infer
        for i in range(2000):
            torch.softmax(mlp(xte[i % 10000:i % 10000 + 1]), 1)
        times = []
        for i in range(5000):
            x1 = xte[i % 10000:i % 10000 + 1]
            t = time.perf_counter_ns()
            torch.softmax(mlp(x1), 1)
            times.append(time.perf_counter_ns() - t)
        times.sort()
        results["mlp_latency_us"] = times[len(times) // 2] / 1e3
    seeds = [] if args.seeds in ("", "none") else [int(s) for s in args.seeds.split(",")]
    for seed in seeds:
        _, _, test_acc, preq = train_one_pass("mlp", xtr, ytr, xte, yte, seed)
        results[f"mlp_preq_acc_seed{seed}"] = preq
        results[f"mlp_test_acc_seed{seed}"] = test_acc
    if args.cnn != "0":
        _, eps, test_acc, preq = train_one_pass("cnn", xtr, ytr, xte, yte)
        results["cnn_train_eps"] = eps
        results["cnn_test_acc"] = test_acc
        results["cnn_preq_acc"] = preq
    for k, v in results.items():
        print(f"RESULT {k}={v}")


if __name__ == "__main__":
    main()
