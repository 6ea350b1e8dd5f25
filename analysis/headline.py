#!/usr/bin/python3
"""The paper's headline from a sweep of scenarios/paper-headline.yaml, beside the paper's figures.

usage: analysis/headline.py SWEEP_DIR [--out DIR]

For every update setting and cost setting of the sweep, per task phase and averaged over phases:
  accuracy gain    ECC accuracy minus the edge SNN's accuracy on the same requests (points); the
                   edge model is the one the ECC run deployed, so both sides learned the same tasks
  energy saving    1 - ECC energy / cloud-only energy, each per answered request and with the
                   updates' energy (training, model and buffer transfers) in the phase the update
                   ended; without updates (inference, radio, cloud only) in energy_saving_no_updates_pct
  latency saving   1 - ECC mean latency / cloud-only mean latency (%)
  CUR              share of requests offloaded by the ECC run (%)
The paper (IJCAI 2025, averaged over its four datasets): +4.15 points, -79.4 % energy, -39.1 % latency.
A replicated sweep (sweep.replications > 1) gives each figure per replication, the ECC run paired with
the cloud-only run of the same replication, and prints mean +- 95 % half-width (Student t) over the
replications; headline.csv then holds the means, a <figure>_hw95 column beside each and n.
Prints the table, writes DIR/headline.csv and DIR/headline.png (DIR defaults to SWEEP_DIR).
Uses Debian's python3-matplotlib, python3-pandas and python3-scipy only.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

import results  # noqa: E402

PAPER = {"accuracy_gain_pts": 4.15, "energy_saving_pct": 79.4, "latency_saving_pct": 39.1}
FILTER_KEY = "policy.offload.filter"
ENERGY_COLUMNS = ["edge_energy_J", "radio_energy_J", "cloud_energy_J"]
FIGURES = ["accuracy_pct", "edge_accuracy_pct", "accuracy_gain_pts", "energy_saving_pct",
           "energy_saving_no_updates_pct", "latency_saving_pct", "cur_pct"]


def setting_of(row, keys):
    """A readable name of a point's setting: its swept values except the filter."""
    parts = []
    for key in keys:
        value = str(row[key])
        if key == "policy.update":
            fields = dict(item.split(":", 1) for item in value.strip("{} ").split(", ") if ":" in item)
            value = f"{fields.get('mode', '?').strip()} {fields.get('method', '').strip()}".strip()
        elif key == "platform.device.energy":
            value = {"constant": "paper constants", "ops": "simulated costs"}.get(value, value)
        else:
            value = f"{key.rsplit('.', 1)[-1]}={value}"
        parts.append(value)
    return ", ".join(parts) if parts else "base scenario"


def per_phase(point_dir):
    requests = results.read_csv(point_dir, "requests.csv")
    answered = requests[~requests["outcome"].isin(["dropped", "held_back"])]
    answered_count = answered.groupby("phase").size()
    request_energy = requests[ENERGY_COLUMNS].sum(axis=1).groupby(requests["phase"]).sum()
    # Each update's energy falls in the phase it ended in (a phase starts at its first arrival).
    updates = results.read_csv(point_dir, "updates.csv")
    phase_start = requests.groupby("phase")["t_arrival_s"].min().sort_index()
    update_phase = [phase_start.index[max(0, phase_start.searchsorted(t, side="right") - 1)] for t in updates["t_end_s"]]
    update_energy = updates["energy_J"].groupby(update_phase).sum().reindex(phase_start.index, fill_value=0.0)
    latency = answered.groupby("phase")["latency_s"].mean()
    tasks = results.read_csv(point_dir, "tasks.csv").set_index("phase")
    return pd.DataFrame({"accuracy": tasks["accuracy"], "edge_accuracy": tasks["edge_only_accuracy"],
                         "cur": tasks["cur"], "energy_J": (request_energy + update_energy) / answered_count,
                         "energy_no_updates_J": request_energy / answered_count, "latency_s": latency})


def headline(sweep_dir):
    """The headline table; for a replicated sweep, its means and half-widths over the replications."""
    summary = results.read_summary(sweep_dir, dtype={"point": str})   # its directory's name: 0007, or 10007 in a large sweep
    if FILTER_KEY not in summary.columns:
        raise ValueError(f"{sweep_dir}/summary.csv: no {FILTER_KEY} column (is it a paper-headline sweep?)")
    summary = summary[summary["status"] != "unneeded"]   # replications sequential stopping did not run
    not_ok = summary[summary["status"] != "ok"]
    if not not_ok.empty:
        raise ValueError(f"{sweep_dir}/summary.csv: points {', '.join(map(str, not_ok['point']))} did not finish")
    if "replication" not in summary.columns:
        return headline_of(sweep_dir, summary)
    tables = []
    for replication, runs in summary.groupby("replication", sort=True):
        table = headline_of(sweep_dir, runs.drop(columns=["replication", "seed"]))
        table.insert(0, "replication", replication)
        tables.append(table)
    every = pd.concat(tables, ignore_index=True)
    every[FIGURES] = every[FIGURES].apply(pd.to_numeric)   # a run without updates sums an empty (object) series
    grouped = every.groupby(["setting", "filter", "phase"], sort=False)[FIGURES]
    means = grouped.mean()
    counts = grouped.count()
    sds = grouped.std(ddof=1)
    for figure in FIGURES:
        n = counts[figure]
        t = pd.Series(stats.t.ppf(0.975, (n - 1).clip(lower=1)), index=n.index).where(n > 1)
        means[figure + "_hw95"] = t * sds[figure] / n ** 0.5
    means["n"] = counts[FIGURES[0]]
    return means.reset_index()


def headline_of(sweep_dir, summary):
    """The headline table of one run per point (one replication of a replicated sweep)."""
    setting_keys = [k for k in results.swept_keys(summary.columns) if k != FILTER_KEY]
    # Columns that vary only with the cost setting (a zip row) name it once, by the device's energy mode.
    if "platform.device.energy" in setting_keys:
        setting_keys = [k for k in setting_keys if not k.startswith("platform.") or k == "platform.device.energy"]
    summary["setting"] = [setting_of(row, setting_keys) for _, row in summary.iterrows()]

    rows = []
    for setting, group in summary.groupby("setting", sort=False):
        by_filter = {row[FILTER_KEY]: row["point"] for _, row in group.iterrows()}
        if "cloud_only" not in by_filter or len(by_filter) < 2:
            raise ValueError(f"setting '{setting}': needs cloud_only and at least one filter beside it")
        cloud = per_phase(results.point_dir(sweep_dir, by_filter["cloud_only"]))
        for name, point in by_filter.items():
            if name in ("cloud_only", "edge_only"):
                continue
            ecc = per_phase(results.point_dir(sweep_dir, point))
            table = pd.DataFrame({
                "accuracy_pct": 100 * ecc["accuracy"],
                "edge_accuracy_pct": 100 * ecc["edge_accuracy"],
                "accuracy_gain_pts": 100 * (ecc["accuracy"] - ecc["edge_accuracy"]),
                "energy_saving_pct": 100 * (1 - ecc["energy_J"] / cloud["energy_J"]),
                "energy_saving_no_updates_pct": 100 * (1 - ecc["energy_no_updates_J"] / cloud["energy_no_updates_J"]),
                "latency_saving_pct": 100 * (1 - ecc["latency_s"] / cloud["latency_s"]),
                "cur_pct": 100 * ecc["cur"],
            })
            table.index = table.index.map(str)
            table.loc["mean"] = table.mean()
            table.insert(0, "filter", name)
            table.insert(0, "setting", setting)
            rows.append(table.reset_index().rename(columns={"index": "phase"}))
    return pd.concat(rows, ignore_index=True)


def plot(table, out):
    metrics = [("accuracy_gain_pts", "accuracy gain vs edge [points]"),
               ("energy_saving_pct", "energy saving vs cloud [%]"),
               ("latency_saving_pct", "latency saving vs cloud [%]"),
               ("cur_pct", "CUR [%]")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(16, 4.8))
    per_task = table[table["phase"] != "mean"]
    for ax, (column, title) in zip(axes, metrics):
        for (setting, name), group in per_task.groupby(["setting", "filter"], sort=False):
            if column + "_hw95" in group.columns:  # a replicated sweep: mean and 95 % half-width
                ax.errorbar(group["phase"].astype(int), group[column], yerr=group[column + "_hw95"], marker="o",
                            capsize=3, label=f"{setting} ({name})")
            else:
                ax.plot(group["phase"].astype(int), group[column], marker="o", label=f"{setting} ({name})")
        if column in PAPER:
            ax.axhline(PAPER[column], color="black", linestyle="--", linewidth=1, label="paper (average)")
        ax.set_xlabel("task phase")
        ax.set_title(title)
        ax.set_xticks(sorted(per_task["phase"].astype(int).unique()))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    out = args.out or args.sweep_dir
    if results.missing(args.sweep_dir, ["summary.csv"]):
        return results.refuse(f"{args.sweep_dir}/summary.csv: not found (run eccsim sweep first)")
    try:
        table = headline(args.sweep_dir)
    except (ValueError, KeyError, FileNotFoundError) as error:
        return results.refuse(error)
    os.makedirs(out, exist_ok=True)
    table.to_csv(os.path.join(out, "headline.csv"), index=False, float_format="%.2f")
    plot(table, os.path.join(out, "headline.png"))
    means = table[table["phase"] == "mean"].drop(columns=["phase"])
    paper = pd.DataFrame([{"setting": "paper, 4 datasets", "filter": "entropy", **PAPER}])
    pd.set_option("display.width", 160)
    if "n" in means.columns:
        # mean +- half-width per figure, the paper's value beside where it has one
        shown = means[["setting", "filter"]].copy()
        for figure in FIGURES:
            shown[figure] = [f"{m:.2f} +- {h:.2f}" if pd.notna(h) else f"{m:.2f}"
                             for m, h in zip(means[figure], means[figure + "_hw95"])]
        shown["n"] = means["n"].astype(int).astype(str)
        paper_shown = paper.assign(**{k: f"{v:.2f}" for k, v in PAPER.items()})
        print(f"Averaged over the task phases, mean +- 95 % half-width over {int(means['n'].min())} replications "
              "(per phase: headline.csv):")
        print(pd.concat([paper_shown, shown], ignore_index=True).fillna("").to_string(index=False))
    else:
        print("Averaged over the task phases (per phase: headline.csv):")
        print(pd.concat([paper, means], ignore_index=True).to_string(index=False,
                                                                      float_format=lambda v: f"{v:.2f}", na_rep=""))
    print(f"headline written to {os.path.join(out, 'headline.csv')} and headline.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
