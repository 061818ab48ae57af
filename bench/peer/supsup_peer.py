#!/usr/bin/python3
"""The Python PyTorch peer of `evostream bench trainer --trainable masks|coefficients`.

SupSup's MNIST net written as SupSup's code writes it (`RAIVNLab/supsup`, `models/modules.py`):
784-300-300-10 linear layers without bias whose weights are frozen signed Kaiming constants; a
mask per layer from scores by the `GetSubnet` autograd function (top-k of |scores|, half kept,
gradient straight through), `F.linear(x, weight * mask)`. `--trainable coefficients` is the
ImpressLearn fork's `BasisMultitaskMaskLinear`: 10 frozen random basis masks per layer stacked
in a buffer and trained coefficients, `weight * (alphas[:, None, None] * stacked).sum(0)`. Adam
(lr 1e-3 for scores, 2e-2 for coefficients), batches of Fashion-MNIST drawn at random, one torch
thread. Prints one JSON object.

Needs Debian's python3-torch: run it with /usr/bin/python3.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import time

import numpy as np
import torch
from torch import autograd, nn
import torch.nn.functional as F


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    count, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


class GetSubnet(autograd.Function):
    @staticmethod
    def forward(ctx, scores, k):
        out = scores.clone()
        _, idx = scores.flatten().sort()
        j = int((1 - k) * scores.numel())
        flat = out.flatten()
        flat[idx[:j]] = 0
        flat[idx[j:]] = 1
        return out

    @staticmethod
    def backward(ctx, g):
        return g, None


def signed_constant(out_features, in_features):
    w = torch.empty(out_features, in_features)
    nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
    std = nn.init.calculate_gain("relu") / math.sqrt(in_features)
    return w.sign() * std


class MaskLinear(nn.Linear):
    def __init__(self, in_features, out_features, sparsity):
        super().__init__(in_features, out_features, bias=False)
        self.weight.data = signed_constant(out_features, in_features)
        self.weight.requires_grad = False
        self.scores = nn.Parameter(torch.empty(out_features, in_features))
        nn.init.kaiming_uniform_(self.scores, a=math.sqrt(5))
        self.sparsity = sparsity

    def forward(self, x):
        subnet = GetSubnet.apply(self.scores.abs(), self.sparsity)
        return F.linear(x, self.weight * subnet)


class BasisMaskLinear(nn.Linear):
    def __init__(self, in_features, out_features, sparsity, masks):
        super().__init__(in_features, out_features, bias=False)
        self.weight.data = signed_constant(out_features, in_features)
        self.weight.requires_grad = False
        stacked = torch.stack([
            GetSubnet.apply(torch.rand(out_features, in_features), sparsity) for _ in range(masks)])
        self.register_buffer("stacked", stacked)
        self.alphas = nn.Parameter(torch.full((masks,), 1.0 / masks))

    def forward(self, x):
        subnet = (self.alphas[:, None, None] * self.stacked).sum(dim=0)
        return F.linear(x, self.weight * subnet)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainable", choices=["masks", "coefficients"], default="masks")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default=os.environ.get("EVOSTREAM_FASHION_MNIST",
                                                         "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()

    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    images = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx_labels(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))

    sizes = [784, 300, 300, 10]
    layers = []
    for i in range(3):
        if args.trainable == "masks":
            layers.append(MaskLinear(sizes[i], sizes[i + 1], 0.5))
        else:
            layers.append(BasisMaskLinear(sizes[i], sizes[i + 1], 0.5, 10))
        if i < 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    params = [p for p in model.parameters() if p.requires_grad]
    lr = 1e-3 if args.trainable == "masks" else 2e-2
    optimizer = torch.optim.Adam(params, lr=lr)
    rng = np.random.default_rng(1)

    def run(steps):
        start = time.perf_counter()
        for _ in range(steps):
            idx = rng.integers(0, len(labels), args.batch_size)
            x = torch.from_numpy(images[idx]).float().div_(255.0).mul_(2.0).sub_(1.0)
            y = torch.from_numpy(labels[idx])
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return steps * args.batch_size / (time.perf_counter() - start)

    run(3)  # warm-up, as the C++ side does
    samples = [run(args.steps) for _ in range(args.repetitions)]
    print(json.dumps({
        "implementation": "pytorch-python", "torch": torch.__version__,
        "trainable": args.trainable, "batch_size": args.batch_size, "steps": args.steps,
        "repetitions": args.repetitions, "threads": args.threads,
        "images_per_second": round(statistics.median(samples), 1),
        "samples": [round(s, 1) for s in samples],
    }))


if __name__ == "__main__":
    main()
