#!/usr/bin/python3
"""Plots of one eccsim sweep directory (its summary.csv: one row per grid point) as PNG files.

usage: analysis/plot_sweep.py SWEEP_DIR [--out DIR] [--x KEY]

Writes into DIR (default SWEEP_DIR/plots), from the points whose status is ok:
  accuracy.png             accuracy against the first swept key (or --x), one line per value of the others
  energy_per_request.png   mean energy per request, same axes
  latency_p95.png          95th percentile latency, same axes
  acci_vs_cur.png          AccI against CUR, one curve per offload filter (when the sweep varies
                           policy.offload.filter and its threshold, rate or target_cur: the paper's
                           sensitivity figure); the area under each curve is printed (trapezoids over
                           the points' CUR; random's is 0.5 over 0-100 %)
Unit strings in swept values ("10Mbps", "5ms") become numbers on a labelled axis.
A replicated sweep (sweep.replications > 1) is drawn from its aggregate.csv: each grid point's mean
across replications, with error bars of the 95 % confidence half-width (Student t); the areas under
AccI(CUR) are computed per replication and printed as mean +- half-width, with the paired difference
(replication by replication) between every two curves and whether it is significant at 95 %.
For a single run directory use analysis/plot.py. Uses Debian's python3-matplotlib, python3-pandas
and python3-scipy only.
"""
import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

import results  # noqa: E402

PREFIXES = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
BASE_UNITS = {"bps", "Bps", "B", "s", "W", "J", "f", "Hz"}
NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%/]*)\s*$")


def half_width(values):
    """95 % confidence half-width of the mean of `values` (Student t); NaN below two values."""
    values = [v for v in values if pd.notna(v)]
    if len(values) < 2:
        return float("nan")
    return stats.t.ppf(0.975, len(values) - 1) * pd.Series(values).std(ddof=1) / len(values) ** 0.5


def split_unit(text):
    """(number, unit) of a value like "10Mbps" or "0.5"; None when it is not a number."""
    match = NUMBER_WITH_UNIT.match(str(text))
    return (float(match.group(1)), match.group(2)) if match else None


def base_of(unit):
    """(scale, base unit) of a unit with an SI prefix: "Mbps" -> (1e6, "bps")."""
    if unit in BASE_UNITS or unit == "":
        return 1.0, unit
    if len(unit) > 1 and unit[0] in PREFIXES and unit[1:] in BASE_UNITS:
        return PREFIXES[unit[0]], unit[1:]
    return None


def axis_values(values):
    """Numbers for a swept key's values and the unit to show, or None for a categorical key."""
    parsed = [split_unit(v) for v in values]
    if any(p is None for p in parsed):
        return None
    units = {u for _, u in parsed}
    if len(units) == 1:
        return [n for n, _ in parsed], units.pop()
    bases = [base_of(u) for _, u in parsed]
    if any(b is None for b in bases) or len({b for _, b in bases}) != 1:
        return None
    shown = parsed[0][1]  # shown in the first value's unit: 10Mbps, 100Mbps, 1Gbps -> 10, 100, 1000 Mbps
    shown_scale = base_of(shown)[0]
    return [n * scale / shown_scale for (n, _), (scale, _) in zip(parsed, bases)], shown


def group_by(keys):
    """pandas' groupby key for these columns (a single column by name, not as a list of one)."""
    return keys[0] if len(keys) == 1 else keys


def add_legend(ax, lines):
    """A legend inside the axes for a few lines, beside them for many."""
    if lines <= 8:
        ax.legend(fontsize="small")
    else:
        ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)


def line_label(row, keys):
    return ", ".join(f"{k}={row[k]}" for k in keys)


def metric_plot(points, x_key, other_keys, column, scale, ylabel, title, path):
    numeric = axis_values(points[x_key].unique())
    if numeric is None:
        order = list(dict.fromkeys(points[x_key]))  # first-seen order (the grid's)
        position = {v: i for i, v in enumerate(order)}
        unit = ""
    else:
        numbers, unit = numeric
        position = dict(zip(points[x_key].unique(), numbers))
    groups = list(points.groupby(group_by(other_keys), sort=False)) if other_keys else [((), points)]
    fig, ax = plt.subplots(figsize=(9 if len(groups) > 8 else 6, 4))
    error = column + "_hw95"
    for _, group in groups:
        data = pd.DataFrame({"x": group[x_key].map(position), "y": group[column] * scale}).sort_values("x")
        label = line_label(group.iloc[0], other_keys) if other_keys else None
        if error in group.columns:  # a replicated sweep's means with their 95 % half-widths
            data["e"] = (group[error] * scale).reindex(data.index)
            ax.errorbar(data["x"], data["y"], yerr=data["e"], marker="o", capsize=3, label=label)
        else:
            ax.plot(data["x"], data["y"], marker="o", label=label)
    if numeric is None:
        ax.set_xticks(range(len(order)))
        ax.set_xticklabels(order, rotation=30 if len(order) > 3 else 0, ha="right" if len(order) > 3 else "center")
    else:
        ticks = sorted(set(position.values()))
        if min(ticks) > 0 and max(ticks) / min(ticks) >= 50:
            ax.set_xscale("log")
        if len(ticks) <= 12:
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            ax.minorticks_off()
    # Values spanning two decades or more (a queue that cannot keep up beside one that can) read
    # better on a log scale, as the x axis does.
    values = points[column] * scale
    if values.min() > 0 and values.max() / values.min() >= 50:
        ax.set_yscale("log")
    ax.set_xlabel(f"{x_key} [{unit}]" if unit else x_key)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if other_keys:
        add_legend(ax, len(groups))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


SHARE_KEYS = ("policy.offload.threshold", "policy.offload.rate", "policy.offload.target_cur", "policy.offload.budget.cur")


def area_under(cur, acci):
    """Trapezoidal area under AccI(CUR), both as fractions, over the points' CUR (sorted)."""
    return sum((x1 - x0) * (y0 + y1) / 2 for x0, y0, x1, y1 in zip(cur, acci, cur[1:], acci[1:]))


def curves(points, keys):
    """(label, filter, points of the curve sorted by CUR) per AccI(CUR) curve."""
    filter_key = "policy.offload.filter"
    others = [k for k in keys if k != filter_key and k not in SHARE_KEYS]
    result = []
    for _, group in points.groupby(group_by([filter_key] + others), sort=False):
        label = group.iloc[0][filter_key] + (", " + line_label(group.iloc[0], others) if others else "")
        result.append((label, group.iloc[0][filter_key], group.sort_values("cur")))
    return result


def replicated_areas(runs, keys):
    """The area under each curve per replication (`runs`: a replicated sweep's ok rows):
    {label: {replication: (filter, area)}}, curves in grid order."""
    areas = {}
    for replication, rows in runs.groupby("replication", sort=True):
        for label, name, data in curves(rows, keys):
            areas.setdefault(label, {})[replication] = (name, area_under(list(data["cur"]), list(data["acci"])))
    return areas


def paired_difference(a, b):
    """Mean and 95 % half-width of the area differences a - b, paired by replication."""
    pairs = [a[k][1] - b[k][1] for k in a if k in b]
    return (sum(pairs) / len(pairs), half_width(pairs)) if pairs else (float("nan"), float("nan"))


def print_replicated_areas(areas):
    """Each curve's area as mean +- half-width, then every pair of curves' paired difference."""
    for label, by_k in areas.items():
        values = [area for _, area in by_k.values()]
        print(f"area under AccI(CUR), {label}: {sum(values) / len(values):.4f} +- {half_width(values):.4f} "
              f"({len(values)} replications)")
    labels = list(areas)
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            mean, hw = paired_difference(areas[first], areas[second])
            verdict = "significant" if abs(mean) > hw else "not significant"
            print(f"  paired difference {first} - {second}: {mean:+.4f} +- {hw:.4f} ({verdict} at 95 %)")


def acci_vs_cur(points, keys, path):
    """Draws the curves; returns (label, area under the curve, lowest CUR, highest CUR) per curve."""
    groups = curves(points, keys)
    fig, ax = plt.subplots(figsize=(9 if len(groups) > 7 else 6, 4.5))
    areas = []
    for label, name, data in groups:
        style = "--" if name == "random" else "-"
        if "acci_hw95" in data.columns:
            ax.errorbar(data["cur"] * 100, data["acci"] * 100, yerr=data["acci_hw95"] * 100,
                        xerr=data["cur_hw95"] * 100, fmt=style, marker="o", capsize=3, label=label)
        else:
            ax.plot(data["cur"] * 100, data["acci"] * 100, style, marker="o", label=label)
        cur, acci = list(data["cur"]), list(data["acci"])
        areas.append((label, area_under(cur, acci), cur[0], cur[-1]))
    ax.plot([0, 100], [0, 100], ":", color="grey", label="AccI = CUR")
    ax.set_xlabel("cloud upload rate, CUR [% of requests offloaded]")
    ax.set_ylabel("accuracy improvement, AccI [% of the edge-cloud gap]")
    ax.set_title("Offload filters: AccI against CUR")
    add_legend(ax, len(ax.get_lines()))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return areas


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir")
    parser.add_argument("--out", default=None)
    parser.add_argument("--x", default=None, help="swept key on the x axis (default: the first one)")
    args = parser.parse_args(argv)
    summary_path = os.path.join(args.sweep_dir, "summary.csv")
    if not os.path.isfile(summary_path):
        return results.refuse(f"{summary_path}: not found (is {args.sweep_dir} an eccsim sweep directory?)")
    header = results.sweep_header(summary_path)
    if header is None:
        hint = " (a single run? use analysis/plot.py)" if results.is_run(args.sweep_dir) else ""
        return results.refuse(f"{summary_path}: not a sweep summary (expected columns point, status, the swept keys, "
                              f"the run summary, error){hint}")
    keys = results.swept_keys(header)
    if not keys:
        return results.refuse(f"{summary_path}: no swept key columns")
    x_key = args.x or keys[0]
    if x_key not in keys:
        return results.refuse(f"--x {x_key}: not a swept key (swept: {', '.join(keys)})")
    summary = results.read_summary(args.sweep_dir, dtype={k: str for k in keys + ["point", "status", "error"]},
                                   keep_default_na=False)
    points = results.finished(summary).copy()
    if points.empty:
        return results.refuse(f"{summary_path}: no finished point (status ok) to plot")
    metrics = ["accuracy", "energy_per_request_J", "latency_p95_s", "cur", "acci"]
    # An empty cell (a metric over no request, e.g. latency with every request dropped) is NaN: not drawn.
    points[metrics] = points[metrics].replace("", float("nan")).apply(pd.to_numeric)
    others = [k for k in keys if k != x_key]
    runs = None
    aggregate_path = os.path.join(args.sweep_dir, "aggregate.csv")
    if "replication" in summary.columns and os.path.isfile(aggregate_path):
        # Replicated: one point per grid point, the mean across replications with its half-width.
        aggregate = pd.read_csv(aggregate_path, dtype={k: str for k in keys}, keep_default_na=False)
        aggregate = aggregate[aggregate["n"] > 0]
        if aggregate["n"].max() > 1:
            runs = points
            points = aggregate[keys].copy()
            for metric in metrics:
                points[metric] = pd.to_numeric(aggregate[metric + "_mean"].replace("", float("nan")))
                points[metric + "_hw95"] = pd.to_numeric(aggregate[metric + "_hw95"].replace("", float("nan")))
            print(f"replicated sweep: means of {aggregate['n'].min()}-{aggregate['n'].max()} replications per "
                  "point, error bars: 95 % confidence half-width")

    out = args.out or os.path.join(args.sweep_dir, "plots")
    os.makedirs(out, exist_ok=True)
    metric_plot(points, x_key, others, "accuracy", 100, "accuracy [%]", "Accuracy",
                os.path.join(out, "accuracy.png"))
    metric_plot(points, x_key, others, "energy_per_request_J", 1e3, "mean energy per request [mJ]",
                "Energy per request", os.path.join(out, "energy_per_request.png"))
    metric_plot(points, x_key, others, "latency_p95_s", 1e3, "95th percentile latency [ms]", "Latency (p95)",
                os.path.join(out, "latency_p95.png"))
    written = ["accuracy.png", "energy_per_request.png", "latency_p95.png"]
    if "policy.offload.filter" in keys and (set(SHARE_KEYS) & set(keys)):
        drawn = acci_vs_cur(points, keys, os.path.join(out, "acci_vs_cur.png"))
        if runs is None:
            for label, area, low, high in drawn:
                print(f"area under AccI(CUR), {label}: {area:.4f} (CUR {100 * low:.1f}-{100 * high:.1f} %)")
        else:
            print_replicated_areas(replicated_areas(runs, keys))
        written.append("acci_vs_cur.png")
    print(f"plots written to {out}: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
