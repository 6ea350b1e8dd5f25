#!/usr/bin/python3
"""Per rate level of a Wi-Fi cell: upload time and radio energy, for each point of a sweep or one run.

usage: analysis/wifi_cell.py DIR [--out PNG]

DIR is a sweep directory (its points/NNNN/ runs, status ok) or one run's output directory, from a
scenario with platform.access.kind: wifi. For every run it joins requests.csv with devices.csv
(each device's wifi_level) and prints one Markdown row per level: stations, mean and p95 upload
time (uplink_s of offloaded requests), the stations' radio energy per request, the cell's airtime
share (links.csv's wifi-cell busy_s over the run) and the access point's radio energy (the
wifi-cell row's energy minus the stations' idle time, at the idle power of run.json's resolved
scenario; the stations' transfers are not in that row). The plot (default
DIR/plots/wifi_cell.png) shows mean upload time against stations per level, one line per level.
Uses Debian's python3-matplotlib and python3-pandas only.
"""
import argparse
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import results  # noqa: E402

WATTS = {"W": 1.0, "mW": 1e-3, "uW": 1e-6, "kW": 1e3}


def wifi_idle_W(run):
    """The Wi-Fi radios' idle power in the run's resolved scenario (run.json)."""
    with open(os.path.join(run, "run.json")) as manifest:
        resolved = json.load(manifest)["resolved_scenario"]
    match = re.search(r"wifi_power:\s*\n\s*idle:\s*([0-9.eE+-]+)\s*([a-zA-Z]+)", resolved)
    if match is None or match.group(2) not in WATTS:
        raise ValueError(f"{run}/run.json: no access.wifi_power.idle in the resolved scenario")
    return float(match.group(1)) * WATTS[match.group(2)]


def level_rows(run):
    devices = results.read_csv(run, "devices.csv")
    if devices["wifi_level"].isna().all():
        raise ValueError(f"{run}: not a Wi-Fi run (devices.csv has no wifi_level)")
    requests = results.read_csv(run, "requests.csv")
    links = results.read_csv(run, "links.csv")
    offloaded = requests[requests["offloaded"] == 1].merge(devices[["device", "wifi_level"]], on="device")
    rows = []
    for level, stations in devices.groupby("wifi_level"):
        uploads = offloaded[offloaded["wifi_level"] == level]["uplink_s"]
        rows.append({"level": int(level), "stations": len(stations),
                     "upload_mean_ms": 1e3 * uploads.mean(), "upload_p95_ms": 1e3 * uploads.quantile(0.95),
                     "radio_J_per_request": stations["wifi_radio_energy_J"].sum() / stations["requests"].sum()})
    cell = links[links["class"] == "wifi"]
    simulated_s = results.simulated_s(run)
    # The cell's row: the access point's radio and the stations' idle time (airtime = their transfers).
    stations_idle_J = wifi_idle_W(run) * (len(devices) * simulated_s - float(cell["busy_s"].sum()))
    access_point_J = float(cell["energy_J"].sum()) - stations_idle_J
    airtime = float(cell["busy_s"].sum()) / simulated_s
    return rows, access_point_J, airtime, len(devices)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    try:
        runs = [(run, *level_rows(run)) for run, _ in results.runs(args.dir)[1]]
    except (OSError, ValueError, KeyError) as error:
        return results.refuse(error)
    print("| devices | cell airtime | level | stations | upload mean | upload p95 | station radio energy per request "
          "| access point radio |")
    print("|---|---|---|---|---|---|---|---|")
    curves = {}
    for run, rows, access_point_J, airtime, devices in runs:
        for row in rows:
            print(f"| {devices} | {100 * airtime:.1f} % | {row['level']} | {row['stations']} | {row['upload_mean_ms']:.3f} ms | "
                  f"{row['upload_p95_ms']:.3f} ms | {row['radio_J_per_request']:.4f} J | {access_point_J:.2f} J |")
            curves.setdefault(row["level"], []).append((row["stations"], row["upload_mean_ms"]))
    out = args.out or os.path.join(args.dir, "plots", "wifi_cell.png")
    fig, ax = plt.subplots(figsize=(6, 4))
    for level, points in sorted(curves.items()):
        xs, ys = zip(*points)
        ax.plot(xs, ys, marker="o", label=f"level {level}")
    ax.set_xscale("log")
    ax.set_xlabel("stations per level")
    ax.set_ylabel("mean upload time [ms]")
    ax.set_title("Wi-Fi cell: upload time per rate level")
    ax.legend()
    fig.tight_layout()
    results.save_figure(fig, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
