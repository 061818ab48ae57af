#!/usr/bin/env python3
"""Prints the Markdown table of strategies from run directories' results.json files.

    bench/strategy_table.py runs/fmnist-mu2net runs/fmnist-finetune ...
    bench/strategy_table.py --per-task runs/fmnist-mu2net runs/fmnist-finetune ...
                                        (per task, with the oracle: the best run on each)

Columns: average test accuracy, BWT and max-based forgetting (points), accounted parameters
per task (mean), active parameters per task (mean: those one token's forward pass multiplies
with, a mixture of experts counting its top k experts; the whole path for other families),
parameters added per task (mean), parameters serving all tasks, whether every
old task kept bit-identical predictions, training images per second (the stream's own
minibatches: task_steps x batch_size per task visit, as Avalanche counts an epoch), training and
wall time.
"""
import json
import sys
import tomllib


def duration(seconds):
    return f"{seconds:.0f} s" if seconds < 600 else f"{seconds / 60:.0f} min"


def images_per_second(run_dir, r):
    with open(f"{run_dir}/scenario.toml", "rb") as f:
        strategy = tomllib.load(f).get("strategy", {})
    per_visit = strategy.get("task_steps", 3200) * strategy.get("batch_size", 64)
    return per_visit * r["events_done"] / r["train_seconds"] if r["train_seconds"] > 0 else 0.0


def row(run_dir):
    with open(f"{run_dir}/results.json") as f:
        r = json.load(f)
    tasks = r["tasks"]
    added = sum(t["params_added"] for t in tasks) / len(tasks)
    active = sum(t.get("active_params", t["path_params"]) for t in tasks) / len(tasks)
    identical = all(t["predictions_identical"] for t in tasks)
    return (f"| {r['strategy']} | {100 * r['average_accuracy']:.2f} | {100 * r['bwt']:+.2f} | "
            f"{100 * r['max_forgetting']:.2f} | {r['params_per_task']:,.0f} | {active:,.0f} | "
            f"{added:,.0f} | "
            f"{r['total_params']:,} | {'yes' if identical else 'no'} | "
            f"{images_per_second(run_dir, r):,.0f} | {duration(r['train_seconds'])} | "
            f"{duration(r['wall_seconds'])} |")


def per_task(dirs):
    """Test accuracy per task, a column per run (named by its directory), then the per-task
    oracle: the best run on each task, which bounds what any one strategy could reach."""
    runs = []
    for d in dirs:
        with open(f"{d}/results.json") as f:
            runs.append(json.load(f))
    names = [d.rstrip("/").split("/")[-1] for d in dirs]
    print("| task | " + " | ".join(names) + " | oracle (best run) |")
    print("| --- |" + " ---: |" * len(runs) + " --- |")
    best = []
    for i, t in enumerate(runs[0]["tasks"]):
        accs = [100 * r["tasks"][i]["test_accuracy"] for r in runs]
        top = max(range(len(accs)), key=lambda k: accs[k])
        best.append(accs[top])
        cells = [f"{a:.2f}" for a in accs]
        print(f"| {t['name']} | " + " | ".join(cells) + f" | {accs[top]:.2f} ({names[top]}) |")
    averages = [100 * r["average_accuracy"] for r in runs]
    print("| **average** | " + " | ".join(f"**{a:.2f}**" for a in averages) +
          f" | **{sum(best) / len(best):.2f}** |")


def main(dirs):
    if dirs and dirs[0] == "--per-task":
        per_task(dirs[1:])
        return
    print("| strategy | avg test acc % | BWT (points) | max forgetting | accounted params/task "
          "| active params/task | params added/task | params serving all tasks "
          "| old predictions identical | train images/s | training | wall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: |")
    for d in dirs:
        print(row(d))


if __name__ == "__main__":
    main(sys.argv[1:])
