#!/usr/bin/env python3
"""Prints where a µ2Net run's training budget went, per task visit, from its events.jsonl.

    bench/search_budget.py runs/split-fmnist-mu2net [more run directories ...]
    bench/search_budget.py --generations runs/split-fmnist-mu2net   (best quality per generation)

Columns, per task visit: candidates trained; steps on candidates that were kept (they beat their
parent) and on those dropped; the committed lineage's steps (the committed candidate and its
ancestors within the visit: what the committed model actually trained for), as a share of the
visit's steps; how many candidates cloned a frozen component, inserted an adapter, changed the
depth or moved a hyperparameter (`changes` of the candidate events); the committed path's
trained parameters and the visit's best validation accuracy.
"""
import json
import re
import sys


def steps_of(candidate):
    """The steps a candidate trained: the last step its curve records."""
    curve = candidate.get("curve", {})
    steps = [p["step"] for p in curve.get("losses", [])]
    steps += [p["step"] for p in curve.get("validations", [])]
    return max(steps, default=0)


def visits(run_dir):
    """The run's task visits in order: (task, iteration, candidates, committed path name)."""
    out = []
    current = None
    with open(f"{run_dir}/events.jsonl") as f:
        for line in f:
            e = json.loads(line)
            kind = e.get("event")
            if kind == "task_started":
                current = {"task": e["task"], "iteration": e["iteration"], "candidates": [],
                           "committed": None}
                out.append(current)
            elif kind == "candidate" and current is not None:
                current["candidates"].append(e)
            elif kind == "snapshot":
                for v in reversed(out):
                    if v["task"] == e["task"] and v["committed"] is None:
                        v["committed"] = e.get("path")
                        break
    return out


def lineage(candidates, committed):
    """The committed candidate and its ancestors among this visit's candidates."""
    by_name = {c["name"]: c for c in candidates}
    chain = []
    name = committed
    while name in by_name:
        chain.append(by_name[name])
        name = by_name[name]["parent"]
    return chain


def count(candidates, pattern):
    return sum(1 for c in candidates if any(re.match(pattern, x) for x in c.get("changes", [])))


def table(run_dir):
    print(f"### {run_dir}\n")
    print("| task | visit | candidates | steps kept | steps dropped | lineage steps | lineage share "
          "| cloned | adapters | depth moves | hp moves | committed trained params | best val % |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = {"all": 0, "lineage": 0}
    for v in visits(run_dir):
        cands = v["candidates"]
        if not cands:
            continue
        kept = sum(steps_of(c) for c in cands if c["kept"])
        dropped = sum(steps_of(c) for c in cands if not c["kept"])
        chain = lineage(cands, v["committed"])
        chain_steps = sum(steps_of(c) for c in chain)
        trained = chain[0]["trained_params"] if chain else 0
        best = max(c["quality"] for c in cands)
        totals["all"] += kept + dropped
        totals["lineage"] += chain_steps
        share = chain_steps / (kept + dropped) if kept + dropped else 0.0
        print(f"| {v['task']} | {v['iteration']} | {len(cands)} | {kept:,} | {dropped:,} | "
              f"{chain_steps:,} | {100 * share:.0f}% | {count(cands, r'clone ')} | "
              f"{count(cands, r'adapter at')} | {count(cands, r'blocks ')} | "
              f"{sum(1 for c in cands if any(' → ' in x and not x.startswith('blocks') for x in c.get('changes', [])))} | "
              f"{trained:,} | {100 * best:.2f} |")
    if totals["all"]:
        print(f"\nLineage share of all steps: {100 * totals['lineage'] / totals['all']:.0f}% "
              f"({totals['lineage']:,} of {totals['all']:,}).\n")


def generations(run_dir):
    print(f"### {run_dir}: best validation accuracy % per generation\n")
    rows = []
    width = 0
    for v in visits(run_dir):
        best = {}
        for c in v["candidates"]:
            g = c["generation"]
            best[g] = max(best.get(g, 0.0), c["quality"])
        width = max(width, len(best))
        rows.append((v["task"], v["iteration"], [best[g] for g in sorted(best)]))
    print("| task | visit | " + " | ".join(f"g{g}" for g in range(width)) + " |")
    print("| --- | ---: |" + " ---: |" * width)
    for task, iteration, values in rows:
        cells = [f"{100 * x:.2f}" for x in values] + [""] * (width - len(values))
        print(f"| {task} | {iteration} | " + " | ".join(cells) + " |")
    print()


def main(argv):
    per_generation = "--generations" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    if not dirs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for d in dirs:
        (generations if per_generation else table)(d)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
