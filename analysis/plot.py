#!/usr/bin/python3
"""Plots of one eccsim run directory (requests.csv, summary.csv) as PNG files.

usage: analysis/plot.py RUN_DIR [--out DIR]

Writes into DIR (default RUN_DIR/plots):
  latency_cdf.png      latency CDF per outcome (edge, cloud, fallback)
  phase_accuracy.png   accuracy and offload rate per workload phase, with the model updates marked
  energy_split.png     mean energy per request split into edge / radio / cloud
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


def latency_cdf(requests, out):
    fig, ax = plt.subplots(figsize=(6, 4))
    for outcome, group in requests.groupby("outcome"):
        latencies = group["latency_s"].sort_values().to_numpy() * 1e3
        fraction = [(i + 1) / len(latencies) for i in range(len(latencies))]
        ax.step(latencies, fraction, where="post", label=f"{outcome} ({len(latencies)})")
    ax.set_xlabel("latency [ms]")
    ax.set_ylabel("fraction of requests")
    ax.set_xscale("log")
    ax.set_title("Latency CDF per outcome")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency_cdf.png"), dpi=120)
    plt.close(fig)


def head_name(task, update):
    """An update's mark: its head and the classes it learned (updates.csv's task and classes)."""
    if "classes" in update.index and isinstance(update["classes"], str):
        return f"head {task}: classes {update['classes']}"
    return f"task {task}"


def phase_accuracy(requests, updates, out):
    """Accuracy and CUR per phase, placed at the phase's mean arrival time, with a mark where each
    head's update was first installed (updates.csv). Returns the number of updates marked."""
    by_phase = requests.groupby("phase").agg(
        t=("t_arrival_s", "mean"), accuracy=("correct", "mean"), cur=("offloaded", "mean"))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(by_phase["t"], by_phase["accuracy"] * 100, marker="o", label="accuracy")
    ax.plot(by_phase["t"], by_phase["cur"] * 100, marker="s", label="offloaded (CUR)")
    installed = pd.Series(dtype=float)
    if updates is not None and not updates.empty:
        first = updates[updates["status"] == "installed"].sort_values("t_end_s").groupby("task").first()
        installed = first["t_end_s"]
        for k, (task, t_end) in enumerate(installed.items()):
            ax.axvline(t_end, color="grey", linestyle=":", label="update installed" if k == 0 else None)
            ax.annotate(head_name(task, first.loc[task]), (t_end, 97), fontsize=7, rotation=90, va="top", ha="right")
    ax.set_xlabel("simulated time [s] (one point per workload phase)")
    ax.set_ylabel("share of requests [%]")
    ax.set_ylim(0, 100)
    ax.set_title("Accuracy and offloading per phase")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "phase_accuracy.png"), dpi=120)
    plt.close(fig)
    return len(installed)


def energy_split(summary, out):
    row = summary.iloc[0]
    parts = {"edge": row["edge_energy_per_request_J"], "radio": row["radio_energy_per_request_J"],
             "cloud": row["cloud_energy_per_request_J"]}
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.bar(list(parts), [v * 1e3 for v in parts.values()], color=["tab:green", "tab:orange", "tab:blue"])
    ax.set_ylabel("mean energy per request [mJ]")
    ax.set_title("Energy per request")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "energy_split.png"), dpi=120)
    plt.close(fig)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    out = args.out or os.path.join(args.run_dir, "plots")
    absent = results.missing(args.run_dir, ["requests.csv", "summary.csv"])
    if absent:
        return results.refuse(f"{absent}: not found (is {args.run_dir} an eccsim run directory?)")
    os.makedirs(out, exist_ok=True)
    requests = results.read_csv(args.run_dir, "requests.csv")
    summary = results.read_csv(args.run_dir, "summary.csv")
    if requests.empty:
        return results.refuse(f"{os.path.join(args.run_dir, 'requests.csv')}: no requests")
    latency_cdf(requests, out)
    updates = None if results.missing(args.run_dir, ["updates.csv"]) else \
        results.read_csv(args.run_dir, "updates.csv", dtype={"classes": str})
    marked = phase_accuracy(requests, updates, out)
    energy_split(summary, out)
    print(f"plots written to {out} ({marked} task updates marked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
