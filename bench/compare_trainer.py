#!/usr/bin/python3
"""Runs `evostream bench trainer` and the Python PyTorch peer alternately and prints the ratio.

Both sides do the same work: vit-tiny at batch 128 on Fashion-MNIST, one torch thread, SGD with
momentum and clipping, `all` (every component trains) or `top` (top block, an adapter and a new
head train over a frozen rest); or SupSup's masked 784-300-300-10 net with Adam, `masks` (its
supermasks train) or `coefficients` (ImpressLearn's coefficients over 10 impressions), against
`peer/supsup_peer.py`. Rounds alternate the two programs so that machine noise hits both;
the figures are medians over rounds. Needs Debian's python3-torch (`scripts/install-deps --bench`).

Usage: bench/compare_trainer.py [--rounds 3] [--steps 40] [--trainable all top masks coefficients]
       [--json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--trainable", nargs="+", default=["all", "top"], choices=["all", "top", "masks", "coefficients"])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "evostream"))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    results = {}
    for trainable in args.trainable:
        ours, peer = [], []
        details = None
        for round_ in range(args.rounds):
            ours_run = run_json([args.binary, "bench", "trainer", "--trainable", trainable,
                                 "--steps", str(args.steps), "--repetitions", "1", "--json"])
            peer_script = "vit_peer.py" if trainable in ("all", "top") else "supsup_peer.py"
            peer_run = run_json([sys.executable, os.path.join(HERE, "peer", peer_script),
                                 "--trainable", trainable, "--steps", str(args.steps),
                                 "--repetitions", "1"])
            ours.append(ours_run["images_per_second"])
            peer.append(peer_run["images_per_second"])
            details = ours_run
            if not args.json:
                print(f"  {trainable} round {round_ + 1}: evostream {ours[-1]:.0f} images/s, "
                      f"python {peer[-1]:.0f} images/s", flush=True)
        results[trainable] = {
            "evostream_images_per_second": statistics.median(ours),
            "python_images_per_second": statistics.median(peer),
            "ratio": statistics.median(ours) / statistics.median(peer),
            "evostream_samples": ours, "python_samples": peer,
            "prefix_cache": details["prefix_cache"],
            "prefix_cache_seconds": details["prefix_cache_seconds"],
            "utilisation": details["utilisation"], "peak_gflops": details["peak_gflops"],
        }
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'trainable':<10} {'evostream':>12} {'python':>10} {'ratio':>7}")
    for trainable, r in results.items():
        print(f"{trainable:<10} {r['evostream_images_per_second']:>12.0f} "
              f"{r['python_images_per_second']:>10.0f} {r['ratio']:>6.2f}x")
    print("(images/s, medians over rounds; batch 128, one torch thread)")


if __name__ == "__main__":
    main()
