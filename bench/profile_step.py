#!/usr/bin/python3
"""Where a training step's time goes, by kernel: samples `evostream bench trainer` with perf.

Runs `evostream bench trainer --trainable T --steps N --repetitions 1` under `perf record` and
sums the samples by what they ran: OpenBLAS's GEMM (kernels and packing), evostream's own
attention, LayerNorm and GELU kernels, the rest of LibTorch (element-wise ops, dispatch,
autograd), memory copies, malloc and the kernel (page faults, scheduling). The sample covers the
whole process, so a long run (the default 300 steps) keeps start-up and validation small.
Needs perf (Debian's linux-perf, `scripts/install-deps --bench`).

Usage: bench/profile_step.py [--trainable all] [--steps 300] [--binary build/evostream]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CATEGORIES = [
    ("GEMM (OpenBLAS kernels and packing)", lambda dso, sym: "sgemm" in sym),
    ("attention backward (evostream's kernel)", lambda dso, sym: "attention_backward" in sym),
    ("attention forward (evostream's kernel)", lambda dso, sym: "attention_forward" in sym),
    ("LayerNorm (evostream's kernels)", lambda dso, sym: "layer_norm" in sym),
    ("GELU (evostream's kernels)", lambda dso, sym: "gelu" in sym),
    ("memory copies and fills", lambda dso, sym: any(k in sym for k in ("memmove", "memset", "memcpy"))),
    ("malloc and free", lambda dso, sym: "malloc" in sym or "free" in sym),
    ("operating-system kernel (page faults, scheduling)", lambda dso, sym: dso.startswith("[kernel")),
    ("rest of LibTorch (element-wise, dispatch, autograd)",
     lambda dso, sym: "torch" in dso or "c10" in dso or sym.startswith("0x")),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainable", default="all", choices=["all", "top", "masks", "coefficients"])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "evostream"))
    args = parser.parse_args()
    if shutil.which("perf") is None:
        sys.exit("profile_step: needs perf (apt-get install linux-perf, or scripts/install-deps --bench)")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.run(["perf", "record", "-q", "-o", data, args.binary, "bench", "trainer",
                        "--trainable", args.trainable, "--steps", str(args.steps),
                        "--repetitions", "1"], check=True, stdout=subprocess.DEVNULL)
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort",
                                 "dso,symbol", "--stdio"], check=True, capture_output=True,
                                text=True).stdout
    shares = {}
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)", line)
        if not m:
            continue
        share, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        name = next((c for c, test in CATEGORIES if test(dso, sym)), "other: " + dso)
        shares[name] = shares.get(name, 0.0) + share
    print(f"evostream bench trainer --trainable {args.trainable} --steps {args.steps}: "
          "share of perf samples")
    for name, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        if share >= 0.5:
            print(f"  {share:5.1f}%  {name}")


if __name__ == "__main__":
    main()
