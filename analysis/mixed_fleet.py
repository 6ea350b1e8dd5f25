#!/usr/bin/python3
"""Per device group of a mixed fleet: accuracy, offloading, p95 latency, energy and battery deaths.

usage: analysis/mixed_fleet.py DIR [--group NAME] [--out PNG]

DIR is a sweep directory (its points/NNNN/ runs, status ok) or one run's output directory. For
every run it reads groups.csv and prints one Markdown row per group, after the run's swept values
(summary.csv). The plot (default DIR/plots/mixed_fleet.png) follows one battery-powered group
(--group, default the first group with a death or, failing that, the first group): its median
battery life (the run's end when fewer than half its devices died) and its accuracy against the
first swept key, one line per value of the others.
Uses Debian's python3-matplotlib and python3-pandas only.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import results  # noqa: E402


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--group")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    try:
        keys, found = results.runs(args.dir)
        tables = [(swept, results.read_csv(run, "groups.csv"), results.simulated_s(run)) for run, swept in found]
    except (OSError, KeyError, ValueError) as error:
        return results.refuse(error)
    if not tables:
        return results.refuse(f"{args.dir}: no finished run")
    groups = list(tables[0][1]["group"])
    followed = args.group
    if followed is None:
        dying = [g for g in groups if any(t.set_index("group").loc[g, "deaths"] > 0 for _, t, _ in tables)]
        followed = dying[0] if dying else groups[0]
    if followed not in groups:
        return results.refuse(f"no group '{followed}' (groups: {', '.join(groups)})")

    print("| " + " | ".join(keys + ["group", "site", "devices", "accuracy", "CUR", "p95 latency",
                                    "energy per request", "deaths", "median battery life"]) + " |")
    print("|" + "---|" * (len(keys) + 9))
    curves = {}
    for swept, table, simulated_s in tables:
        for _, g in table.iterrows():
            life = g["median_death_s"]
            life_text = f"{life:.1f} s" if pd.notna(life) else f"> {simulated_s:.0f} s (run's end)"
            print("| " + " | ".join([swept[k] for k in keys] + [
                g["group"], g["site"], str(g["devices"]), f"{100 * g['accuracy']:.2f} %", f"{100 * g['cur']:.2f} %",
                f"{1e3 * g['latency_p95_s']:.2f} ms", f"{1e3 * g['energy_per_request_J']:.3f} mJ",
                str(g["deaths"]), life_text]) + " |")
            if g["group"] == followed:
                x = swept[keys[0]] if keys else ""
                label = ", ".join(f"{k} {swept[k]}" for k in keys[1:]) or followed
                curves.setdefault(label, []).append(
                    (x, life if pd.notna(life) else simulated_s, 100 * g["accuracy"]))

    out = args.out or os.path.join(args.dir, "plots", "mixed_fleet.png")
    fig, (life_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for label, points in curves.items():
        xs = [p[0] for p in points]
        life_ax.plot(xs, [p[1] for p in points], marker="o", label=label)
        accuracy_ax.plot(xs, [p[2] for p in points], marker="o", label=label)
    x_label = keys[0] if keys else "run"
    life_ax.set_xlabel(x_label)
    life_ax.set_ylabel(f"{followed}: median battery life [s]")
    life_ax.set_title("median battery life (the run's end: most survived)")
    accuracy_ax.set_xlabel(x_label)
    accuracy_ax.set_ylabel(f"{followed}: accuracy [%]")
    accuracy_ax.set_title("accuracy (dropped requests count as wrong)")
    life_ax.legend()
    fig.tight_layout()
    results.save_figure(fig, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
