#!/usr/bin/python3
"""The Python PyTorch peer of `evostream bench trainer`: the same two workloads, idiomatically.

A timm-style ViT (pre-LN blocks, qkv projection, softmax attention, tanh-GELU MLP), vit-tiny by
default, trained with SGD + momentum 0.9 and gradient clipping at global norm 1.0 on batches of
Fashion-MNIST drawn at random, one torch thread. `--trainable top` freezes everything but the top
block, an adapter before it and a new head, with `requires_grad=False` on the frozen parameters,
as a PyTorch user would. Prints one JSON object.

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
from torch import nn
import torch.nn.functional as F


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    count, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        out = attn.softmax(dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, mlp)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Adapter(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.ln = nn.LayerNorm(dim, eps=1e-6)
        self.down = nn.Linear(dim, hidden)
        self.up = nn.Linear(hidden, dim)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x):
        return x + self.up(F.gelu(self.down(self.ln(x)), approximate="tanh"))


class PatchEmbed(nn.Module):
    def __init__(self, channels, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    """evostream's vit family under timm's names (`evostream export` writes them): a state dict
    of timm's VisionTransformer of the same size loads here, and the other way round when the
    model has no adapters (µ2Net's, under `adapters.K`)."""

    def __init__(self, image_size, channels, patch, dim, depth, heads, mlp, classes):
        super().__init__()
        grid = image_size // patch
        self.patch_embed = PatchEmbed(channels, dim, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + grid * grid, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp) for _ in range(depth))
        self.adapters = nn.ModuleDict()
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, images):
        x = self.patch_embed(images * 2.0 - 1.0)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + self.pos_embed
        for k, block in enumerate(self.blocks):
            if str(k) in self.adapters:
                x = self.adapters[str(k)](x)
            x = block(x)
        return self.head(self.norm(x[:, 0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainable", choices=["all", "top"], default="all")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", default=os.environ.get("EVOSTREAM_FASHION_MNIST",
                                                         "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()

    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    images = read_idx_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx_labels(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))

    model = ViT(28, 1, 4, 64, 4, 4, 128, 10)
    if args.trainable == "top":
        for p in model.parameters():
            p.requires_grad = False
        top = len(model.blocks) - 1
        for p in model.blocks[top].parameters():
            p.requires_grad = True
        model.adapters[str(top)] = Adapter(64, 32)
        model.head = nn.Linear(64, 10)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    rng = np.random.default_rng(1)

    def run(steps):
        start = time.perf_counter()
        for _ in range(steps):
            idx = rng.integers(0, len(labels), args.batch_size)
            x = torch.from_numpy(images[idx]).float().div_(255.0)
            y = torch.from_numpy(labels[idx])
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
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
