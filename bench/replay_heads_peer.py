#!/usr/bin/python3
"""A PyTorch peer of `configs/split-fmnist.toml`'s shared-backbone strategies.

Split-Fashion-MNIST with task labels (classes (0,1) … (8,9), each relabelled 0/1 with its own
2-way head), an untrained vit-tiny (28×28, patch 4, dim 64, depth 4, 4 heads, MLP 128, pre-LN,
class token), one epoch of 128-image minibatches per task, one Adam (lr 0.001) for the stream,
and one of these strategies (`--strategy`, default replay):
- `replay`: a buffer of `--memory` examples (500) shared equally by the earlier tasks (random
  ones of each), a replayed minibatch of 128 appended to each training minibatch, the loss the
  mean over both; `--memory 0` is naive fine-tuning, as `naive` is.
- `cumulative`: every earlier task's whole training split instead of a buffer, a minibatch of
  128 from each earlier task appended (the union in proportion, as evostream's `cumulative`).
- `ewc`: separate EWC, λ = 1000: after each task its diagonal Fisher (squared gradients of
  128-image minibatches over its training split, averaged) and the backbone as its anchor; the
  loss adds λ Σ F (θ − θ*)² for every earlier task (Avalanche's EWCPlugin).
- `lwf`: the backbone as it was before the task, run without gradient on each minibatch; the
  loss adds α Σ KL(softmax(old / T) ‖ softmax(new / T)) over the earlier heads, α = 1, T = 2
  (Avalanche's LwF).

`--old-heads trained` lets the replayed examples' cross-entropy (or LwF's distillation) reach
their own tasks' heads, as Avalanche's multi-head model does; `--old-heads frozen` keeps each
head as its task left it, as evostream does (a committed head never changes). Prints the final
average test accuracy and each task's, and the training time (EWC's Fisher passes apart). `--head-init zeros` starts every head at zero,
as evostream's do; `--backbone-init jax` initialises the backbone as evostream's (Xavier-uniform
kernels, zero biases, LeCun-normal patch kernel). Like Avalanche's multi-head models, each
task's examples of a minibatch go through the backbone in their own forward pass.

    /usr/bin/python3 bench/replay_heads_peer.py --old-heads trained --seed 1
    /usr/bin/python3 bench/replay_heads_peer.py --strategy ewc --old-heads frozen --seed 1
"""
import argparse
import copy
import gzip
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class Vit(nn.Module):
    def __init__(self, tasks, zero_heads, jax_backbone, dim=64, depth=4, heads=4, mlp=128,
                 patch=4, side=28):
        super().__init__()
        self.patch = nn.Conv2d(1, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, (side // patch) ** 2 + 1, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.heads = nn.ModuleList(nn.Linear(dim, 2) for _ in range(tasks))
        if zero_heads:  # as evostream's heads start (and µ2Net's)
            for h in self.heads:
                nn.init.zeros_(h.weight)
                nn.init.zeros_(h.bias)
        if jax_backbone:  # as evostream's backbone starts (the ViT reference's initialisation)
            fan_in = patch * patch
            nn.init.normal_(self.patch.weight, std=fan_in ** -0.5)
            nn.init.zeros_(self.patch.bias)
            for b in self.blocks:
                for k in range(3):  # q, k and v each as its own [d, d] kernel
                    nn.init.xavier_uniform_(b.attn.in_proj_weight[k * dim:(k + 1) * dim])
                nn.init.zeros_(b.attn.in_proj_bias)
                for layer in (b.attn.out_proj, b.mlp[0], b.mlp[2]):
                    nn.init.xavier_uniform_(layer.weight)
                    nn.init.zeros_(layer.bias)

    def features(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(len(x), -1, -1), x], 1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.norm(x[:, 0])


def old_head_logits(model, k, f, old_heads):
    """Task k's head on features f: trainable, or as the task left it."""
    head = model.heads[k]
    if old_heads == "frozen":
        return F.linear(f, head.weight.detach(), head.bias.detach())
    return head(f)


def diagonal_fisher(model, t, x, y):
    """Squared gradients of task t's 128-image minibatches over x, averaged (the backbone's)."""
    params = [p for n, p in model.named_parameters() if not n.startswith("heads.")]
    fisher = [torch.zeros_like(p) for p in params]
    batches = 0
    for s in range(0, len(x), 128):
        model.zero_grad()
        F.cross_entropy(model.heads[t](model.features(x[s:s + 128])), y[s:s + 128]).backward()
        for f, p in zip(fisher, params):
            if p.grad is not None:
                f += p.grad.pow(2)
        batches += 1
    model.zero_grad()
    return [(f / batches, p.detach().clone()) for f, p in zip(fisher, params)]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--strategy", choices=["replay", "naive", "cumulative", "ewc", "lwf"],
                   default="replay")
    p.add_argument("--old-heads", choices=["trained", "frozen"], required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--memory", type=int, default=500, help="replay's buffer; 0: naive")
    p.add_argument("--ewc-lambda", type=float, default=1000.0)
    p.add_argument("--lwf-alpha", type=float, default=1.0)
    p.add_argument("--lwf-temperature", type=float, default=2.0)
    p.add_argument("--head-init", choices=["torch", "zeros"], default="torch",
                   help="PyTorch's default for nn.Linear, or zeros as evostream's heads")
    p.add_argument("--backbone-init", choices=["torch", "jax"], default="torch",
                   help="PyTorch's defaults, or the ViT reference's as evostream's backbone")
    a = p.parse_args()
    if a.strategy == "naive":
        a.strategy, a.memory = "replay", 0
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(a.seed)
    xtr = torch.tensor(idx(f"{DATA}/train-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    ytr = torch.tensor(idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.tensor(idx(f"{DATA}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    yte = torch.tensor(idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    tasks = []
    for t in range(5):
        tr = ((ytr == 2 * t) | (ytr == 2 * t + 1)).nonzero().squeeze(1)
        te = ((yte == 2 * t) | (yte == 2 * t + 1)).nonzero().squeeze(1)
        tasks.append((xtr[tr].unsqueeze(1), ytr[tr] - 2 * t, xte[te].unsqueeze(1), yte[te] - 2 * t))
    model = Vit(len(tasks), a.head_init == "zeros", a.backbone_init == "jax")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    backbone = [p for n, p in model.named_parameters() if not n.startswith("heads.")]
    memory = []  # (task, x, y) of the buffer
    anchors = []  # EWC: (Fisher, anchor) per backbone tensor, per earlier task
    previous = None  # LwF: the model as it was before the task
    start = time.perf_counter()
    fisher_seconds = 0.0
    pushed = 0  # images through the backbone with a gradient: the stream's and the appended
    for t, (x, y, _, _) in enumerate(tasks):
        order = torch.tensor(rng.permutation(len(x)))
        for s in range(0, len(x), 128):
            b = order[s:s + 128]
            f = model.features(x[b])
            loss_sum = F.cross_entropy(model.heads[t](f), y[b], reduction="sum")
            n = len(b)
            extra = 0.0
            if a.strategy == "replay" and memory:
                pick = rng.choice(len(memory), size=min(128, len(memory)), replace=False)
                for k in range(t):
                    rows = [memory[i] for i in pick if memory[i][0] == k]
                    if not rows:
                        continue
                    mx = torch.stack([r[1] for r in rows])
                    my = torch.stack([r[2] for r in rows])
                    logits = old_head_logits(model, k, model.features(mx), a.old_heads)
                    loss_sum = loss_sum + F.cross_entropy(logits, my, reduction="sum")
                    n += len(rows)
            elif a.strategy == "cumulative":
                for k in range(t):
                    kx, ky = tasks[k][0], tasks[k][1]
                    rows = torch.tensor(rng.choice(len(kx), size=128, replace=False))
                    logits = old_head_logits(model, k, model.features(kx[rows]), a.old_heads)
                    loss_sum = loss_sum + F.cross_entropy(logits, ky[rows], reduction="sum")
                    n += len(rows)
            elif a.strategy == "ewc" and anchors:
                penalty = 0.0
                for per_task in anchors:
                    for p, (fisher, star) in zip(backbone, per_task):
                        penalty = penalty + (fisher * (p - star).pow(2)).sum()
                extra = a.ewc_lambda * penalty
            elif a.strategy == "lwf" and previous is not None:
                with torch.no_grad():
                    before = previous.features(x[b])
                kept = 0.0
                for k in range(t):
                    log_p = F.log_softmax(old_head_logits(model, k, f, a.old_heads)
                                          / a.lwf_temperature, 1)
                    with torch.no_grad():
                        q = F.softmax(previous.heads[k](before) / a.lwf_temperature, 1)
                    kept = kept + F.kl_div(log_p, q, reduction="batchmean")
                extra = a.lwf_alpha * kept
            pushed += n
            opt.zero_grad()
            (loss_sum / n + extra).backward()
            opt.step()
        if a.strategy == "ewc":
            fisher_start = time.perf_counter()
            anchors.append(diagonal_fisher(model, t, x, y))
            fisher_seconds += time.perf_counter() - fisher_start
        elif a.strategy == "lwf":
            previous = copy.deepcopy(model).requires_grad_(False)
        elif a.strategy == "replay":
            # The buffer: an equal share for each task learned so far, random examples of each.
            share = a.memory // (t + 1)
            kept = []
            for k in range(t):
                kept += [m for m in memory if m[0] == k][:share]
            for i in rng.permutation(len(x))[:share]:
                kept.append((t, x[i], y[i]))
            memory = kept
    seconds = time.perf_counter() - start - fisher_seconds
    accs = []
    with torch.no_grad():
        for t, (_, _, xt, yt) in enumerate(tasks):
            pred = model.heads[t](model.features(xt)).argmax(1)
            accs.append(100.0 * (pred == yt).float().mean().item())
    what = a.strategy + (f" {a.memory}" if a.strategy == "replay" else "")
    print(f"{what}, old heads {a.old_heads}, heads {a.head_init}, backbone {a.backbone_init}, "
          f"seed {a.seed}: average {np.mean(accs):.2f}%, per task "
          + ", ".join(f"{v:.2f}" for v in accs))
    stream = sum(len(x) for x, _, _, _ in tasks)
    fisher = f", Fisher passes {fisher_seconds:.1f} s more" if a.strategy == "ewc" else ""
    print(f"training {seconds:.1f} s (buffer updates included{fisher}): {stream / seconds:,.0f} "
          f"stream images/s, {pushed / seconds:,.0f} images/s through the backbone "
          f"({pushed:,} in all)")


if __name__ == "__main__":
    main()
