#!/usr/bin/python3
"""The update stage over time: one or more eccsim run directories side by side.

usage: analysis/plot_updates.py RUN_DIR [RUN_DIR ...] [--out FILE] [--window SECONDS]

For each run (its directory name is the legend label): ECC accuracy, the edge model's own
accuracy (edge_pred, the answer it would give alone) and the share offloaded, in windows of
--window simulated seconds (default 10), with the workload's phase starts as dotted lines and
each model install (updates.csv, status installed; the first device's) as a marker on the edge
accuracy curve. Default FILE: RUN_DIR/plots/updates.png of the first run.
Uses Debian's python3-matplotlib and python3-pandas only.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import results  # noqa: E402


def windows(requests, window_s):
    answered = requests[~requests["outcome"].isin(["dropped", "held_back"])].copy()
    answered["window"] = (answered["t_arrival_s"] // window_s).astype(int)
    answered["edge_correct"] = answered["edge_pred"] == answered["label"]
    by_window = answered.groupby("window").agg(
        accuracy=("correct", "mean"), edge_accuracy=("edge_correct", "mean"), cur=("offloaded", "mean"))
    by_window["t_s"] = (by_window.index + 0.5) * window_s
    return by_window


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dirs", nargs="+")
    parser.add_argument("--out", default=None)
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.window <= 0:
        return results.refuse("--window must be positive")
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    phase_starts = set()
    for run_dir in args.run_dirs:
        absent = results.missing(run_dir, ["requests.csv", "updates.csv"])
        if absent:
            return results.refuse(f"{absent}: not found (is {run_dir} an eccsim run directory?)")
        requests = results.read_csv(run_dir, "requests.csv")
        if requests.empty:
            return results.refuse(f"{os.path.join(run_dir, 'requests.csv')}: no requests")
        label = os.path.basename(os.path.normpath(run_dir))
        by_window = windows(requests, args.window)
        lines = axes[0].plot(by_window["t_s"], by_window["accuracy"] * 100, label=label)
        colour = lines[0].get_color()
        axes[1].plot(by_window["t_s"], by_window["edge_accuracy"] * 100, color=colour, label=label)
        axes[2].plot(by_window["t_s"], by_window["cur"] * 100, color=colour, label=label)
        updates = results.read_csv(run_dir, "updates.csv", dtype={"classes": str})
        installed = updates[(updates["status"] == "installed") & (updates["device"] == updates["device"].min())]
        for _, update in installed.iterrows():
            axes[1].axvline(update["t_end_s"], color=colour, alpha=0.35)
            name = f"task {int(update['task'])}"
            if isinstance(update.get("classes"), str):   # the head's index and the classes it learned
                name = f"head {int(update['task'])}: {update['classes']}"
            axes[1].annotate(name, (update["t_end_s"], 2), color=colour, rotation=90, fontsize=7, va="bottom")
        phase_starts.update(requests.groupby("phase")["t_arrival_s"].min().round(0).tolist()[1:])
    for ax, title in zip(axes, ("ECC accuracy [%]", "edge model alone [%] (lines: model installed)",
                                "offloaded (CUR) [%]")):
        for t in sorted(phase_starts):
            ax.axvline(t, color="grey", linestyle=":", linewidth=1)
        ax.set_ylabel(title)
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    axes[0].legend()
    axes[2].set_xlabel(f"simulated time [s] ({args.window:g} s windows; dotted: phase starts)")
    fig.suptitle("Update stage: accuracy and offloading over time")
    fig.tight_layout()
    out = args.out or os.path.join(args.run_dirs[0], "plots", "updates.png")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print(f"plot written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
